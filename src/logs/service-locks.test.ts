import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { logsConfigSchema } from './config-schema.js';
import { normaliseLogsConfig } from './logs-config.js';
import { logsMigrations } from './migrations.js';
import { openLogsService } from './service.js';
import { createFileSink } from './sinks/index.js';

// Two collectors on one data directory and the same file sinks (`logs once` beside `serve`): the second is
// refused with sink.locked, and what it had locked before the refusal is released.
let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duowatch-logs-locks-'));
  store = await openStore({ dataDir: dir, env: {}, migrations: logsMigrations });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function open() {
  const config = await normaliseLogsConfig(
    logsConfigSchema.parse({
      sinks: {
        first: { type: 'file', path: 'first.ndjson' },
        second: { type: 'file', path: 'second.ndjson' },
      },
      routes: [{ org: '*', sinks: ['first', 'second'] }],
    }),
    { env: {}, dataDir: dir },
    [],
  );
  return openLogsService({
    config,
    dataDir: dir,
    env: {},
    store,
    clientFor: () => Promise.reject(new Error('no Duo in this test')),
    demo: false,
    now: () => 0,
  });
}

describe('logs service and sink locks', () => {
  it('a second service on the same file sinks is refused with sink.locked; the first keeps its locks', async () => {
    const a = await open();
    try {
      const error = await open().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'sink.locked' });
      expect((error as Error).message).toContain(`process ${String(process.pid)}`);
      expect((await readdir(dir)).filter((n) => n.endsWith('.lock')).sort()).toEqual([
        'first.ndjson.lock',
        'second.ndjson.lock',
      ]);
    } finally {
      await a.close();
    }
    expect((await readdir(dir)).filter((n) => n.endsWith('.lock'))).toEqual([]);
  });

  it('a refused service releases the locks it took before the refusal', async () => {
    // Only the second sink's file is held elsewhere; the service locks `first` before it reaches `second`.
    const holder = createFileSink({ path: join(dir, 'second.ndjson') });
    await holder.restore!(null);
    await expect(open()).rejects.toMatchObject({ code: 'sink.locked' });
    expect((await readdir(dir)).filter((n) => n.endsWith('.lock'))).toEqual(['second.ndjson.lock']);
    await holder.close();
    const b = await open();
    await b.close();
  });
});
