import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchOf } from './events.test-helpers.js';
import { createFileSink } from './file-sink.js';
import { createReliableSink } from './reliable-sink.js';
import type { LogSink } from './types.js';

const signal = new AbortController().signal;

/** Another live OS process whose pid a lock file can name (it holds nothing itself). */
function otherProcess(): ChildProcess & { pid: number } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child as ChildProcess & { pid: number };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

const receiver = (): LogSink => ({
  name: 'recv',
  guarantee: 'at_least_once',
  send: () => Promise.resolve(),
  close: () => Promise.resolve(),
});

describe('sink path locks (one process per file sink / spill queue)', () => {
  let dir: string;
  let child: (ChildProcess & { pid: number }) | null = null;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duowatch-path-lock-'));
  });
  afterEach(async () => {
    if (child !== null) {
      child.kill('SIGKILL');
      await exited(child);
      child = null;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second opener of a file sink while the holder lives, naming the path and the pid', async () => {
    child = otherProcess();
    const path = join(dir, 'events.ndjson');
    const holder = createFileSink({ path, pid: child.pid });
    await holder.send(batchOf(0, 2), signal);
    expect((await readFile(`${path}.lock`, 'utf8')).trim()).toBe(String(child.pid));

    const second = createFileSink({ path });
    const error = await second.send(batchOf(2, 1), signal).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'sink.locked' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(`process ${child.pid}`);
    // restore() is refused too: it would cut the holder's uncommitted batch.
    await expect(second.restore!(null)).rejects.toMatchObject({ code: 'sink.locked' });
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(2);

    await holder.close();
    expect(await readdir(dir)).not.toContain('events.ndjson.lock');
    await second.send(batchOf(2, 1), signal);
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(3);
    expect((await readFile(`${path}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    await second.close();
  });

  it('takes over a lock whose holder died (SIGKILL leaves the lock file behind)', async () => {
    child = otherProcess();
    const path = join(dir, 'events.ndjson');
    const holder = createFileSink({ path, pid: child.pid });
    await holder.send(batchOf(0, 1), signal);
    // The holder "crashes": its lock file stays, its pid goes away.
    child.kill('SIGKILL');
    await exited(child);
    child = null;

    const next = createFileSink({ path });
    await next.send(batchOf(1, 1), signal);
    expect((await readFile(`${path}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    await next.close();
  });

  it('treats a lock file with our own pid that this process does not hold as stale (pid reuse)', async () => {
    const path = join(dir, 'events.ndjson');
    await writeFile(`${path}.lock`, `${process.pid}\n`);
    const sink = createFileSink({ path });
    await sink.send(batchOf(0, 1), signal);
    // …but two sinks of this process on one path are refused.
    const twin = createFileSink({ path });
    await expect(twin.send(batchOf(1, 1), signal)).rejects.toMatchObject({ code: 'sink.locked' });
    await sink.close();
  });

  it('refuses a second process on one spill queue directory', async () => {
    child = otherProcess();
    const spillDir = join(dir, 'spill', 'siem');
    const opts = { spillDir, maxSpillBytes: 1e6, baseDelayMs: 1, maxDelayMs: 5 };
    const holder = createReliableSink(receiver(), { ...opts, pid: child.pid });
    await holder.send(batchOf(0, 1), signal);
    expect((await readFile(join(spillDir, 'queue.lock'), 'utf8')).trim()).toBe(String(child.pid));

    const second = createReliableSink(receiver(), opts);
    const error = await second.send(batchOf(1, 1), signal).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'sink.locked' });
    expect((error as Error).message).toContain(spillDir);
    expect((error as Error).message).toContain(`process ${child.pid}`);
    await second.close();

    await holder.close();
    const third = createReliableSink(receiver(), opts);
    await third.send(batchOf(1, 1), signal);
    await third.close();
    expect(await readdir(spillDir)).not.toContain('queue.lock');
  });
});
