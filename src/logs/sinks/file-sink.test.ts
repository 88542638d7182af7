import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSink } from './file-sink.js';
import { batchOf } from './events.test-helpers.js';
import { SinkError } from './types.js';

const signal = new AbortController().signal;

async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text === '' ? [] : text.trimEnd().split('\n');
}

async function ids(dir: string, base: string): Promise<string[]> {
  // Every segment oldest first, then the active file: what an operator would concatenate.
  const names = (await readdir(dir)).filter((n) => n.startsWith(`${base}.`));
  const segs = names
    .map((n) => ({ n, seq: Number(/^.*?\.(\d+)(\.gz)?$/.exec(n)?.[1]) }))
    .filter((s) => Number.isFinite(s.seq))
    .sort((a, b) => a.seq - b.seq);
  const out: string[] = [];
  for (const s of segs) {
    const buf = await readFile(join(dir, s.n));
    const text = s.n.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
    for (const l of text.trimEnd().split('\n'))
      if (l) out.push((JSON.parse(l) as { duowatch: { id: string } }).duowatch.id);
  }
  for (const l of await lines(join(dir, base)))
    out.push((JSON.parse(l) as { duowatch: { id: string } }).duowatch.id);
  return out;
}

describe('file sink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duowatch-file-sink-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes raw NDJSON lines: Duo object unchanged plus the duowatch tag', async () => {
    const path = join(dir, 'logs', 'duo.ndjson');
    const sink = createFileSink({ path });
    const batch = batchOf(1, 2);
    await sink.restore?.(null);
    await sink.send(batch, signal);
    await sink.close();
    const got = (await lines(path)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(got).toHaveLength(2);
    expect(got[0]).toEqual({ ...batch[0]!.raw, duowatch: { id: batch[0]!.id, stream: 'auth', org: 'acme' } });
    // Duo's keys first, in Duo's order, then ours.
    expect(Object.keys(got[1]!)).toEqual([...Object.keys(batch[1]!.raw), 'duowatch']);
  });

  it('restore cuts an uncommitted batch so the replay is not doubled', async () => {
    const path = join(dir, 'duo.ndjson');
    const a = createFileSink({ path });
    await a.restore?.(null);
    await a.send(batchOf(0, 3), signal);
    const committed = await a.position!();
    expect(committed).toBe(`1:${(await readFile(path)).length}`);
    await a.send(batchOf(3, 3), signal); // the process dies before committing this one
    await a.close();

    const b = createFileSink({ path });
    await b.restore!(committed);
    await b.send(batchOf(3, 3), signal); // the collector sends the uncommitted batch again
    await b.close();
    expect(await ids(dir, 'duo.ndjson')).toEqual(batchOf(0, 6).map((e) => e.id));
  });

  it('restore(null) keeps an existing file and appends after it', async () => {
    const path = join(dir, 'duo.ndjson');
    await writeFile(path, '{"operator":"line"}\n');
    const sink = createFileSink({ path });
    await sink.restore!(null);
    await sink.send(batchOf(0, 1), signal);
    await sink.close();
    const got = await lines(path);
    expect(got[0]).toBe('{"operator":"line"}');
    expect(got).toHaveLength(2);
  });

  it('restore(null) later in the same process cuts what this process wrote (a first batch that failed elsewhere)', async () => {
    const path = join(dir, 'duo.ndjson');
    await writeFile(path, '{"operator":"line"}\n');
    const sink = createFileSink({ path, maxBytes: 600 });
    await sink.send(batchOf(0, 2), signal); // no restore first: the baseline is where the file stood at open
    await sink.send(batchOf(2, 2), signal); // rotates
    await sink.restore!(null); // another sink on the route failed: nothing was committed
    await sink.send(batchOf(0, 4), signal);
    await sink.close();
    const all = await ids(dir, 'duo.ndjson').catch(() => null);
    expect(all).toBeNull(); // the operator's line has no duowatch tag
    const text = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(text[0]).toBe('{"operator":"line"}');
    const rotated = (await readdir(dir)).filter((n) => n !== 'duo.ndjson' && n !== 'duo.ndjson.lock');
    const rest: string[] = [];
    for (const n of rotated.sort()) {
      const buf = await readFile(join(dir, n));
      rest.push(...(n.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8').trimEnd().split('\n'));
    }
    const got = [...rest, ...text]
      .filter((l) => l.includes('duowatch'))
      .map((l) => (JSON.parse(l) as { duowatch: { id: string } }).duowatch.id);
    expect(got).toEqual(batchOf(0, 4).map((e) => e.id));
  });

  it('rotates by size between batches, gzips rotated files, and keeps every event once', async () => {
    const path = join(dir, 'duo.ndjson');
    const sink = createFileSink({ path, maxBytes: 2000 });
    await sink.restore!(null);
    for (let i = 0; i < 10; i++) await sink.send(batchOf(i * 4, 4), signal);
    await sink.close();
    const names = (await readdir(dir)).sort();
    expect(names.filter((n) => n.endsWith('.gz')).length).toBeGreaterThanOrEqual(3);
    expect(names.some((n) => /\.\d+$/.test(n))).toBe(false); // all rotated files compressed
    expect(await ids(dir, 'duo.ndjson')).toEqual(batchOf(0, 40).map((e) => e.id));
  });

  it('rotates by age with the injected clock', async () => {
    let now = 1_000_000;
    const path = join(dir, 'duo.ndjson');
    const sink = createFileSink({ path, maxAgeMs: 60_000, gzip: false, clock: () => now });
    await sink.restore!(null);
    await sink.send(batchOf(0, 1), signal);
    now += 59_000;
    await sink.send(batchOf(1, 1), signal);
    expect((await readdir(dir)).sort()).toEqual(['duo.ndjson', 'duo.ndjson.lock']);
    now += 2_000;
    await sink.send(batchOf(2, 1), signal);
    expect((await readdir(dir)).sort()).toEqual(['duo.ndjson', 'duo.ndjson.1', 'duo.ndjson.lock']);
    expect(await sink.position!()).toMatch(/^2:\d+$/);
    await sink.close();
  });

  it('restore brings back a rotated (gzipped) segment when the crash came after the rotation', async () => {
    const path = join(dir, 'duo.ndjson');
    const a = createFileSink({ path, maxBytes: 1500 });
    await a.restore!(null);
    await a.send(batchOf(0, 4), signal);
    const committed = await a.position!(); // segment 1
    // Not committed: these batches rotate segment 1 away and fill segments 2 and 3.
    await a.send(batchOf(4, 4), signal);
    await a.send(batchOf(8, 4), signal);
    await a.send(batchOf(12, 4), signal);
    await a.close();
    expect((await readdir(dir)).filter((n) => n.endsWith('.gz')).length).toBeGreaterThanOrEqual(1);

    const b = createFileSink({ path, maxBytes: 1500 });
    await b.restore!(committed);
    // b holds the file's lock while open (docs/logs.md: one process per file sink).
    expect((await readdir(dir)).sort()).toEqual(['duo.ndjson', 'duo.ndjson.lock']);
    expect(await b.position!()).toBe(committed);
    for (let i = 4; i < 16; i += 4) await b.send(batchOf(i, 4), signal);
    await b.close();
    expect(await ids(dir, 'duo.ndjson')).toEqual(batchOf(0, 16).map((e) => e.id));
  });

  it('restore is idempotent when a crash interrupts it', async () => {
    const path = join(dir, 'duo.ndjson');
    const a = createFileSink({ path, maxBytes: 1000, gzip: true });
    await a.restore!(null);
    await a.send(batchOf(0, 3), signal);
    const committed = await a.position!();
    await a.send(batchOf(3, 3), signal);
    await a.send(batchOf(6, 3), signal);
    await a.close();
    // A restore that died after writing its .restoring copy and deleting the newer files: do those steps
    // by hand, then restore again.
    const gz = (await readdir(dir)).find((n) => n === 'duo.ndjson.1.gz');
    expect(gz).toBeDefined();
    const offset = Number(committed.split(':')[1]);
    const seg1 = gunzipSync(await readFile(join(dir, 'duo.ndjson.1.gz')));
    await writeFile(join(dir, 'duo.ndjson.1.restoring'), seg1.subarray(0, offset));
    for (const n of await readdir(dir)) if (!n.startsWith('duo.ndjson.1')) await rm(join(dir, n));
    const c = createFileSink({ path, maxBytes: 1000 });
    await c.restore!(committed);
    await c.send(batchOf(3, 6), signal);
    await c.close();
    expect(await ids(dir, 'duo.ndjson')).toEqual(batchOf(0, 9).map((e) => e.id));
  });

  it('refuses a position beyond what the file holds, with a clear error', async () => {
    const path = join(dir, 'duo.ndjson');
    const sink = createFileSink({ path });
    await sink.restore!(null);
    await sink.send(batchOf(0, 1), signal);
    await expect(sink.restore!('1:999999')).rejects.toMatchObject({ code: 'sink.config' });
    await expect(sink.restore!('7:0')).rejects.toBeInstanceOf(SinkError);
    await expect(sink.restore!('garbage')).rejects.toMatchObject({ code: 'sink.config' });
    await sink.close();
  });
});
