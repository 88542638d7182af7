import { open, readFile, unlink } from 'node:fs/promises';
import { SinkError } from './types.js';

/**
 * An exclusive, process-wide lock on a path that only one process may write: an exactly-once file sink (each
 * opener cuts the file back to its own stored position) or a spill queue directory (each opener replays and
 * deletes the queued batches). The lock file holds the holder's pid; it is created with O_EXCL, removed on
 * release, and taken over when its pid no longer runs (a crashed holder), so a SIGKILL does not block the
 * next start.
 *
 * Known limit: two processes taking over the same stale lock at the same instant can both remove it; the
 * window is one unlink, and only after a holder died.
 */
export interface PathLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface PathLockOptions {
  readonly sink: string;
  /** What is locked, for the error message ("file", "spill queue"). */
  readonly what: string;
  /** The locked path; the lock file is `lockFile`. */
  readonly target: string;
  readonly lockFile: string;
  readonly pid?: number;
  /** Whether a pid still runs (injected for tests). */
  readonly isAlive?: (pid: number) => boolean;
}

// Lock files this process holds: a lock file with our own pid that is not here is left over from an earlier
// process that had the same pid (a container restart), so it is stale.
const held = new Set<string>();

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquirePathLock(o: PathLockOptions): Promise<PathLock> {
  const pid = o.pid ?? process.pid;
  const isAlive = o.isAlive ?? pidAlive;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const h = await open(o.lockFile, 'wx');
      try {
        await h.writeFile(`${pid}\n`);
        await h.sync();
      } finally {
        await h.close();
      }
      held.add(o.lockFile);
      return {
        path: o.lockFile,
        async release(): Promise<void> {
          if (!held.delete(o.lockFile)) return;
          await unlink(o.lockFile).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error;
          });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readFile(o.lockFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null; // released meanwhile: try again
      throw error;
    });
    if (text === null) continue;
    const holder = Number(text.trim());
    // An empty or garbled lock file is a holder that died between create and write.
    const live =
      Number.isInteger(holder) && holder > 0 && (holder === pid ? held.has(o.lockFile) : isAlive(holder));
    if (live) {
      throw new SinkError(
        'sink.locked',
        o.sink,
        `${o.what} ${o.target} is in use by process ${holder} (lock file ${o.lockFile}); two processes must not share it — give each its own path`,
      );
    }
    await unlink(o.lockFile).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  throw new SinkError(
    'sink.locked',
    o.sink,
    `could not take the lock ${o.lockFile} for ${o.what} ${o.target}`,
  );
}
