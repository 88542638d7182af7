import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { printJson, type CliIo, type GlobalOptions } from '../../../cli/io.js';
import { loadConfig, type Config } from '../../../config/index.js';
import type { CollectedEvent } from '../../../app/index.js';
import { stripControl } from '../../../shared/index.js';
import { LogsError } from '../../errors.js';
import { sinkSettings } from '../../logs-config.js';
import { createSink, type SinkConfig } from '../../sinks/index.js';
import type { SinksTestOptions } from './command.js';

function load(io: CliIo, opts: GlobalOptions): Promise<Config> {
  return loadConfig({
    file: opts.config,
    env: io.env,
    cwd: process.cwd(),
    overrides: { dataDir: opts.dataDir },
  });
}

/**
 * The marked event: an authentication-log shaped record whose every text says it is a test, so a SIEM rule
 * can drop it (`duowatch.test` / `event_type: duowatch_sink_test`).
 */
export function testEvent(now: number, id: string): CollectedEvent {
  return {
    id,
    stream: 'auth',
    orgId: 'duowatch-sink-test',
    orgSlug: 'duowatch-sink-test',
    ts: now,
    raw: {
      txid: `duowatch-sink-test-${id}`,
      timestamp: Math.floor(now / 1000),
      isotimestamp: new Date(now).toISOString(),
      event_type: 'duowatch_sink_test',
      result: 'success',
      reason: 'duowatch sinks test: a marked test event, safe to ignore',
      user: { name: 'duowatch-sink-test' },
      duowatch_test: true,
    },
  };
}

/**
 * The test goes to the receiver, never into a queue: network sinks are built without their spill queue (a
 * spilled batch would count as acknowledged). A file sink is tested beside its file (`<path>.sinktest`,
 * written, fsync'd and removed), so a running `serve`'s exactly-once file and stored offset are not touched.
 */
function forTest(config: SinkConfig): SinkConfig {
  if (config.type === 'file')
    return {
      ...config,
      path: `${config.path}.sinktest`,
      rotate: { ...config.rotate, maxBytes: 0, maxAgeHours: 0 },
    };
  if (config.type === 'stdout') return config;
  return { ...config, spill: { maxBytes: 0 }, retry: { baseDelayMs: 0, maxDelayMs: 0 } };
}

export async function runSinksTest(io: CliIo, name: string, opts: SinksTestOptions): Promise<void> {
  const config = await load(io, opts);
  const configured = config.logs.sinks[name];
  if (configured === undefined) {
    const names = Object.keys(config.logs.sinks);
    throw new LogsError(
      'logs.unknown_sink',
      `no sink named "${stripControl(name).slice(0, 80)}" in logs.sinks (${names.length === 0 ? 'none is configured' : `configured: ${names.join(', ')}`})`,
    );
  }
  const timeoutMs = Math.max(1, Number(opts.timeout ?? '30')) * 1000;
  const settings = forTest(sinkSettings(configured));
  const sink = createSink(name, settings, {
    dataDir: config.dataDir,
    ...(opts.json === true ? { stdout: { write: () => true } } : {}),
  });
  const id = `test-${randomUUID()}`;
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  let error: string | null = null;
  try {
    await Promise.race([
      sink.send([testEvent(Date.now(), id)], signal),
      new Promise<never>((_, reject) =>
        signal.addEventListener(
          'abort',
          () => reject(new Error(`no acknowledgement within ${String(timeoutMs / 1000)} s`)),
          { once: true },
        ),
      ),
    ]);
  } catch (e) {
    error = stripControl(e instanceof Error ? e.message : String(e)).slice(0, 500);
  } finally {
    await sink.close().catch(() => undefined);
    if (settings.type === 'file') await removeTestFile(settings.path);
  }
  const ms = Date.now() - started;
  const ok = error === null;
  if (opts.json === true) printJson(io, { sink: name, type: configured.type, ok, ms, id, error });
  else if (ok)
    io.stdout.write(`${name} (${configured.type}): acknowledged in ${String(ms)} ms; test event id ${id}\n`);
  if (!ok)
    throw new LogsError(
      'logs.sink_test_failed',
      `${name} (${configured.type}): NOT acknowledged: ${error ?? ''}`,
      {
        exitCode: 1,
      },
    );
}

async function removeTestFile(path: string): Promise<void> {
  // The write reached the disk (the sink fsync'd it); the file itself is not evidence anyone needs.
  await unlink(path).catch(() => undefined);
}

export async function runSinksList(io: CliIo, opts: GlobalOptions): Promise<void> {
  const config = await load(io, opts);
  const rows = Object.entries(config.logs.sinks).map(([name, s]) => ({
    name,
    type: s.type,
    settings: s.shown,
  }));
  if (opts.json === true) {
    printJson(io, { sinks: rows });
    return;
  }
  if (rows.length === 0) io.stdout.write('no sinks configured (logs.sinks)\n');
  for (const r of rows) io.stdout.write(`${r.name}\t${r.type}\t${JSON.stringify(r.settings)}\n`);
}
