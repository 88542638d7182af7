import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, truncate, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { SinkEvent } from './types.js';
import { formatLines } from './format.js';
import type { LogFormat, LogSink } from './types.js';
import { SinkError } from './types.js';
import { acquirePathLock } from './path-lock.js';
import type { PathLock } from './path-lock.js';

export interface FileSinkOptions {
  readonly name?: string;
  readonly path: string;
  readonly format?: LogFormat;
  /** Rotate before a batch once the active file holds at least this many bytes (0 = never by size). */
  readonly maxBytes?: number;
  /** Rotate before a batch once the active file is this old (0 = never by age). */
  readonly maxAgeMs?: number;
  /** Compress rotated files to `<path>.<n>.gz` (default true). */
  readonly gzip?: boolean;
  /** Rotated files kept (oldest deleted first; 0 = keep all). The newest rotated file is always kept. */
  readonly maxFiles?: number;
  readonly clock?: () => number;
  /** The pid written to the lock file `<path>.lock` (default this process's; injected for tests). */
  readonly pid?: number;
}

/** A stored position: the active segment's number and its byte length after the last acknowledged batch. */
interface Position {
  readonly seq: number;
  readonly offset: number;
}

export function formatPosition(p: Position): string {
  return `${p.seq}:${p.offset}`;
}

export function parsePosition(text: string, sink: string): Position {
  const m = /^(\d{1,9}):(\d{1,15})$/.exec(text);
  if (!m) throw new SinkError('sink.config', sink, `stored position "${text}" is not <segment>:<offset>`);
  return { seq: Number(m[1]), offset: Number(m[2]) };
}

/** What one rotated segment looks like on disk (a restore may find any of these after a crash). */
interface Segment {
  plain?: string;
  gz?: string;
  restoring?: string;
}

/**
 * NDJSON to a file with exactly-once effect (docs/log-sinks.md, "File sink").
 *
 * `send` appends one batch with one write and fsyncs it; `position()` is then `<segment>:<bytes>`, which the
 * collector stores in the same transaction as its cursor. After a crash, `restore(position)` cuts every byte
 * written after that position, so the batch the collector sends again is not doubled.
 *
 * Rotation happens only between batches: the active file (the configured path, so `tail -F` works) is renamed
 * to `<path>.<n>` and, when gzip is on, compressed in the background to `<path>.<n>.gz`. The segment number of
 * the active file is one more than the newest rotated one, so a stored position names its file. If a crash
 * leaves uncommitted bytes in a segment that was rotated since, `restore` brings that segment back as the
 * active file (decompressing it when needed) cut at the stored offset, and deletes the newer segments, which
 * hold nothing committed.
 */
export function createFileSink(options: FileSinkOptions): LogSink {
  const name = options.name ?? `file:${options.path}`;
  const path = options.path;
  const dir = dirname(path);
  const base = basename(path);
  const format = options.format ?? 'raw';
  const maxBytes = options.maxBytes ?? 0;
  const maxAgeMs = options.maxAgeMs ?? 0;
  const gzip = options.gzip ?? true;
  const maxFiles = options.maxFiles ?? 0;
  const clock = options.clock ?? Date.now;

  let handle: FileHandle | null = null;
  let seq = 1;
  let size = 0;
  let openedAt = 0;
  let closed = false;
  // Held from the first open to close: a second process restoring or appending would cut this one's batches.
  let lock: PathLock | null = null;
  // Where the file stood when this process first opened it: what `restore(null)` goes back to.
  let baseline: Position | null = null;
  // A write that failed part-way left bytes past `size`; they are cut before anything else is written.
  let dirty = false;
  let compressing: Promise<void> = Promise.resolve();
  let compressError: unknown = null;
  // One operation at a time: sends, rotation, restore and position never interleave.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };

  const fail = (what: string, error: unknown): SinkError =>
    error instanceof SinkError
      ? error
      : new SinkError(
          'sink.unavailable',
          name,
          `${what}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          {
            cause: error,
          },
        );

  async function listSegments(): Promise<Map<number, Segment>> {
    const out = new Map<number, Segment>();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw error;
    }
    const prefix = `${base}.`;
    for (const n of names) {
      if (!n.startsWith(prefix)) continue;
      const m = /^(\d+)(\.gz|\.restoring|\.gz\.tmp)?$/.exec(n.slice(prefix.length));
      if (!m) continue;
      const s = Number(m[1]);
      const seg = out.get(s) ?? {};
      const full = join(dir, n);
      if (m[2] === undefined) seg.plain = full;
      else if (m[2] === '.gz') seg.gz = full;
      else if (m[2] === '.restoring') seg.restoring = full;
      else await unlink(full); // an unfinished compression: the plain file is still there
      out.set(s, seg);
    }
    return out;
  }

  async function fsyncDir(): Promise<void> {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  }

  async function ensureLocked(): Promise<void> {
    if (lock !== null) return;
    await mkdir(dir, { recursive: true });
    lock = await acquirePathLock({
      sink: name,
      what: 'file',
      target: path,
      lockFile: `${path}.lock`,
      ...(options.pid === undefined ? {} : { pid: options.pid }),
    });
  }

  async function openActive(): Promise<void> {
    await ensureLocked();
    const segments = await listSegments();
    seq = Math.max(0, ...segments.keys()) + 1;
    handle = await open(path, 'a');
    const st = await handle.stat();
    size = st.size;
    baseline ??= { seq, offset: size };
    openedAt = size === 0 ? clock() : Math.min(st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs, clock());
    // Finish what a crash interrupted: compress plain rotated segments, drop plain copies of finished ones.
    for (const [s, seg] of segments) {
      if (seg.restoring) continue; // only restore() knows what to do with these
      if (seg.plain && seg.gz) await unlink(seg.plain);
      else if (seg.plain && gzip) compressLater(s, seg.plain);
    }
  }

  async function ensureOpen(): Promise<FileHandle> {
    if (closed) throw new SinkError('sink.unavailable', name, 'closed');
    if (handle === null) await openActive();
    if (handle === null) throw new SinkError('sink.unavailable', name, 'could not open');
    if (dirty) {
      await handle.truncate(size);
      await handle.sync();
      dirty = false;
    }
    return handle;
  }

  function compressLater(s: number, plain: string): void {
    const gzPath = `${join(dir, base)}.${s}.gz`;
    const tmp = `${gzPath}.tmp`;
    compressing = compressing.then(async () => {
      try {
        await pipeline(createReadStream(plain), createGzip(), createWriteStream(tmp));
        const h = await open(tmp, 'r+');
        try {
          await h.sync();
        } finally {
          await h.close();
        }
        await rename(tmp, gzPath);
        await fsyncDir();
        await unlink(plain);
        await prune();
      } catch (error) {
        // The plain segment stays; the next start compresses it again. Reported by the next send.
        compressError = error;
      }
    });
  }

  async function prune(): Promise<void> {
    if (maxFiles <= 0) return;
    const segments = [...(await listSegments()).entries()].sort((a, b) => a[0] - b[0]);
    const excess = segments.length - Math.max(1, maxFiles);
    for (const [, seg] of segments.slice(0, Math.max(0, excess))) {
      for (const f of [seg.plain, seg.gz]) if (f) await unlink(f).catch(() => undefined);
    }
  }

  async function rotate(): Promise<void> {
    const h = await ensureOpen();
    await h.sync();
    await h.close();
    handle = null;
    const rotated = `${path}.${seq}`;
    await rename(path, rotated);
    await fsyncDir();
    handle = await open(path, 'a');
    seq += 1;
    size = 0;
    openedAt = clock();
    if (gzip) compressLater(seq - 1, rotated);
    else await prune();
  }

  function due(): boolean {
    if (size === 0) return false;
    if (maxBytes > 0 && size >= maxBytes) return true;
    return maxAgeMs > 0 && clock() - openedAt >= maxAgeMs;
  }

  /** Copies the first `length` bytes of `from` (gzip when `gunzip`) into `to`, fsync'd. */
  async function copyPrefix(from: string, to: string, length: number, gunzip: boolean): Promise<number> {
    let left = length;
    let copied = 0;
    const cut = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (left <= 0) return done();
        const part = chunk.subarray(0, Math.min(left, chunk.length));
        left -= part.length;
        copied += part.length;
        done(null, part);
      },
    });
    const source = createReadStream(from);
    if (gunzip) await pipeline(source, createGunzip(), cut, createWriteStream(to));
    else await pipeline(source, cut, createWriteStream(to));
    const h = await open(to, 'r+');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
    return copied;
  }

  async function restoreTo(p: Position): Promise<void> {
    await ensureLocked();
    await compressing;
    if (handle !== null) {
      await handle.close();
      handle = null;
    }
    await mkdir(dir, { recursive: true });
    const segments = await listSegments();
    const activeSeq = Math.max(0, ...segments.keys()) + 1;
    if (p.seq > activeSeq) {
      throw new SinkError(
        'sink.config',
        name,
        `stored position ${formatPosition(p)} names segment ${p.seq}, but the newest file is segment ${activeSeq}: were rotated files removed?`,
      );
    }
    if (p.seq < activeSeq) {
      const seg = segments.get(p.seq);
      if (!seg || (!seg.plain && !seg.gz && !seg.restoring)) {
        throw new SinkError(
          'sink.config',
          name,
          `stored position ${formatPosition(p)} names a missing segment`,
        );
      }
      // Everything after segment p.seq was written after the stored position: none of it was committed.
      await unlink(path).catch(ignoreMissing);
      for (const [s, other] of segments) {
        if (s <= p.seq) continue;
        for (const f of [other.plain, other.gz, other.restoring]) if (f) await unlink(f);
      }
      const restoring = `${path}.${p.seq}.restoring`;
      if (!seg.restoring) {
        const got = seg.plain
          ? await copyPrefix(seg.plain, restoring, p.offset, false)
          : await copyPrefix(seg.gz ?? '', restoring, p.offset, true);
        if (got < p.offset) {
          await unlink(restoring);
          throw new SinkError(
            'sink.config',
            name,
            `segment ${p.seq} holds ${got} bytes, fewer than the stored position ${formatPosition(p)}`,
          );
        }
      }
      for (const f of [seg.plain, seg.gz]) if (f) await unlink(f);
      await rename(restoring, path);
      await fsyncDir();
    }
    const st = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    const current = st?.size ?? 0;
    if (current < p.offset) {
      throw new SinkError(
        'sink.config',
        name,
        `${path} holds ${current} bytes, fewer than the stored position ${formatPosition(p)}: committed events are missing`,
      );
    }
    if (current > p.offset) await truncate(path, p.offset);
    await openActive();
    await (await ensureOpen()).sync();
  }

  return {
    name,
    guarantee: 'exactly_once',
    send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
      return serial(async () => {
        signal.throwIfAborted();
        if (batch.length === 0) return;
        const text = Buffer.from(formatLines(batch, format), 'utf8');
        try {
          const h0 = await ensureOpen();
          if (due()) await rotate();
          const h = handle ?? h0;
          let written = 0;
          while (written < text.length) {
            const { bytesWritten } = await h.write(text, written, text.length - written);
            written += bytesWritten;
          }
          await h.sync();
          size += text.length;
        } catch (error) {
          // The caller does not commit this batch; cut what part of it reached the file before the next one.
          dirty = true;
          throw fail('write failed', error);
        }
        if (compressError !== null) {
          const e = compressError;
          compressError = null;
          throw fail('compressing a rotated file failed (the uncompressed file is kept)', e);
        }
      });
    },
    position(): Promise<string> {
      return serial(async () => {
        await ensureOpen();
        return formatPosition({ seq, offset: size });
      });
    },
    restore(position: string | null): Promise<void> {
      return serial(async () => {
        try {
          // Nothing committed yet: keep what was there before this process (it may be an operator's file)
          // and cut what this process wrote since. The caller should store position() before its first
          // send, so a crash before the first commit is cut too.
          if (position !== null) await restoreTo(parsePosition(position, name));
          else if (baseline === null) await ensureOpen();
          else await restoreTo(baseline);
        } catch (error) {
          throw fail('restore failed', error);
        }
      });
    },
    close(): Promise<void> {
      return serial(async () => {
        if (closed) return;
        closed = true;
        await compressing;
        if (handle !== null) {
          await handle.close();
          handle = null;
        }
        await lock?.release();
        lock = null;
      });
    },
  };
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
