/**
 * Shared by bench/logs.bench.ts and bench/logs-rss.child.ts: the emulator in a child process, and one
 * collector run (SQLite store, real Duo client over TLS, the real collectOrg) against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  createDuoClient,
  LimiterRegistry,
  systemClock,
  type EndpointClass,
  type DuoTransportOptions,
  type HttpDispatcher,
} from '../src/duo/index.js';
import { checkpointRepository } from '../src/logs/checkpoint.repository.js';
import { collectOrg, processOwner, type StreamReport } from '../src/logs/collect-org.js';
import { createDeliveryLock } from '../src/logs/delivery-lock.js';
import { logsMigrations } from '../src/logs/migrations.js';
import { prepareSinks } from '../src/logs/prepare-sinks.js';
import type { LogSink } from '../src/logs/sinks/index.js';
import type { LogStream } from '../src/logs/streams.js';
import { openStore } from '../src/store/index.js';

export interface EmulatorInfo {
  host: string;
  address: string;
  port: number;
  caFile: string;
  ikey: string;
  skey: string;
}

export async function startEmulator(env: {
  users: number;
  frozen: number;
  limits: 'off' | 'duo';
}): Promise<{ info: EmulatorInfo; child: ChildProcess; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./logs-emulator.child.ts', import.meta.url))],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {
        ...process.env,
        LOGS_BENCH_USERS: String(env.users),
        LOGS_BENCH_FROZEN: String(env.frozen),
        LOGS_BENCH_LIMITS: env.limits,
      },
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`emulator child exited with ${String(code)}`)));
  });
  return { info: JSON.parse(line) as EmulatorInfo, child, stop: () => child.stdin?.end() };
}

/** TLS to the emulator child: its test CA, its loopback address pinned for the emulated API host. */
export function emulatorTransport(info: EmulatorInfo): DuoTransportOptions {
  return {
    extraCaPem: [readFileSync(info.caFile, 'utf8')],
    resolve: { [info.host]: { address: info.address, port: info.port } },
    allowPrivateAddresses: true,
  };
}

export interface RunResult {
  events: number;
  seconds: number;
  /** CPU seconds this process spent (user + system) during the run: the collector's own work. */
  cpuSeconds: number;
  reports: StreamReport[];
}

/** One collector run into a fresh SQLite data directory `dir`. */
export async function collectRun(opts: {
  info: EmulatorInfo;
  dir: string;
  sinks: LogSink[];
  streams: LogStream[];
  firstFrom: number;
  rates: Partial<Record<EndpointClass, number>>;
  signal?: AbortSignal;
  onEvents?: (n: number) => void;
  /** Replies from memory instead of the emulator over TLS (bench/logs-replay.ts). */
  dispatcher?: HttpDispatcher;
}): Promise<RunResult> {
  const store = await openStore({ dataDir: opts.dir, env: {}, migrations: logsMigrations });
  try {
    const o = await store.organizations.create({ slug: 'bench' });
    await store.integrations.create(o.id, {
      kind: 'admin',
      apiHost: opts.info.host,
      label: 'emulated',
      mkey: null,
      ikey: opts.info.ikey,
      skey: opts.info.skey,
    });
    const client = createDuoClient({
      ikey: opts.info.ikey,
      skey: opts.info.skey,
      host: opts.info.host,
      ...(opts.dispatcher === undefined
        ? { transport: emulatorTransport(opts.info) }
        : { dispatcher: opts.dispatcher }),
      limiter: new LimiterRegistry({ clock: systemClock, ratesPerMinute: opts.rates }),
    });
    const repo = checkpointRepository(store);
    await prepareSinks(opts.sinks, repo, () => Date.now());
    let events = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let reports: StreamReport[] = [];
    try {
      reports = await collectOrg(
        {
          store,
          repo,
          clientFor: () => Promise.resolve(client),
          sinks: opts.sinks,
          lock: createDeliveryLock(),
          now: () => Date.now(),
          owner: processOwner(),
        },
        { id: o.id, slug: o.slug },
        {
          streams: opts.streams,
          firstFrom: opts.firstFrom,
          ...(opts.signal === undefined ? {} : { signal: opts.signal }),
          onPage: (_k, n) => {
            events += n;
            opts.onEvents?.(n);
          },
        },
      );
    } catch (error) {
      if (opts.signal?.aborted !== true) throw error;
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { events, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, reports };
  } finally {
    for (const s of opts.sinks) await s.close();
    await store.close();
  }
}
