import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { createClock, parseTenantFixture } from './world/index.js';
import type { EmulatorClock, ScenarioSpec, Tenant, TenantFixture } from './world/index.js';
import { createDuoApp } from './app/duo-app.js';
import { DroppedConnection } from './app/fault-effects.js';
import { createRequestLog } from './app/request-log.js';
import { createTenantRegistry, type TenantRegistry } from './app/tenant-registry.js';
import {
  createControlApp,
  createEmulatorControl,
  CONTROL_BASE,
  type EmulatorControl,
  type TenantCredentials,
} from './control/index.js';
import { createFaultPlan, type FaultSpec } from './faults/index.js';
import { createRateLimiter, type RateLimitOptions } from './limits/index.js';
import { listenTls, type Listening, type ListenOptions } from './serve/index.js';
import { prepareTls } from './tls/index.js';

export interface EmulatorOptions {
  /** Everything generated derives from it (tenants, logs, fault decisions). Default "duowatch". */
  seed?: string;
  /** Number of tenants (default 1). The first is the Accounts API parent of the others. */
  tenants?: number;
  /** Users per generated tenant (default 50). */
  users?: number;
  /** A fixture for the first tenant: a file path (YAML or JSON by extension) or an already parsed fixture. */
  tenantFile?: string;
  tenantFixture?: TenantFixture;
  /** `false` switches rate limiting off; an object configures it. Default: on with docs/duo-wire.md §6 limits. */
  rateLimit?: boolean | RateLimitOptions;
  faults?: readonly FaultSpec[];
  /** Scenarios injected into every tenant (or the one named by `tenant`) right after start. */
  scenarios?: ReadonlyArray<ScenarioSpec & { tenant?: string }>;
  clock?: EmulatorClock;
  /**
   * Check request signatures against the wall clock instead of the emulated one, so clients signing with
   * their own clock keep working after `advance()` moves emulated time beyond Duo's 300 s window.
   */
  signAgainstWallClock?: boolean;
  /** Bearer token of the control API (default: random). */
  controlToken?: string;
  /** Where the local CA lives (default: a temp directory per process). */
  tlsDir?: string;
  /** Real-time sleep used by latency/hang faults (inject a fake in tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readTextFile?: (path: string) => Promise<string>;
}

/** Both faces of the emulator as one fetch handler: Duo's paths and, under /_emulator, the control API. */
export interface EmulatorApp {
  fetch(request: Request, env?: unknown): Promise<Response>;
  request(input: string | Request, init?: RequestInit): Promise<Response>;
}

export interface Emulator {
  /** In-process: `await emulator.app.request('https://api-x.duosecurity.com/auth/v2/ping')`, no socket. */
  app: EmulatorApp;
  world: {
    clock: EmulatorClock;
    registry: TenantRegistry;
    tenants(): readonly Tenant[];
    tenant(host: string): Tenant;
  };
  control: EmulatorControl;
  controlToken: string;
  credentials(): TenantCredentials[];
  /** Serves over real TLS (default 127.0.0.1, ephemeral port) and writes the CA PEM to `caFile`. */
  listen(options?: ListenOptions & { tlsDir?: string }): Promise<Listening>;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const seed = options.seed ?? 'duowatch';
  const clock = options.clock ?? createClock();
  const registry = createTenantRegistry();
  const limiter = createRateLimiter(
    options.rateLimit === false
      ? { enabled: false }
      : options.rateLimit === true
        ? {}
        : (options.rateLimit ?? {}),
  );
  const faults = createFaultPlan(seed, options.faults ?? []);
  const log = createRequestLog();
  const control = createEmulatorControl({
    registry,
    clock,
    faults,
    limiter,
    log,
    seed,
    defaultUsers: options.users ?? 50,
  });

  let fixture = options.tenantFixture;
  if (fixture === undefined && options.tenantFile !== undefined) {
    const text = await (options.readTextFile ?? ((p: string) => readFile(p, 'utf8')))(options.tenantFile);
    fixture = parseTenantFixture(text, /\.json$/i.test(options.tenantFile) ? 'json' : 'yaml');
  }
  const count = Math.max(1, options.tenants ?? 1);
  const parent = control.createTenant(fixture === undefined ? {} : { fixture });
  for (let i = 1; i < count; i++) control.createTenant({ parent: parent.hostname });
  for (const s of options.scenarios ?? []) {
    const { tenant, ...spec } = s;
    const hosts = tenant === undefined ? registry.all().map((t) => t.hostname) : [tenant];
    for (const h of hosts) control.inject(h, spec);
  }

  const duo = createDuoApp({
    registry,
    clock,
    limiter,
    faults,
    log,
    sleep: options.sleep ?? defaultSleep,
    realNow: () => performance.now(),
    ...(options.signAgainstWallClock === true ? { signatureTime: () => Date.now() } : {}),
  });
  const controlToken = options.controlToken ?? randomBytes(24).toString('base64url');
  const controlApp = createControlApp(control, controlToken);
  const root = new Hono();
  root.all(`${CONTROL_BASE}/*`, (c) => controlApp.fetch(c.req.raw, c.env));
  root.all('*', (c) => duo.fetch(c.req.raw, c.env));
  root.onError((err) => {
    // A dropped-connection fault must surface as a network failure, not as an HTTP answer.
    if (err instanceof DroppedConnection) throw err;
    throw err;
  });

  const app: EmulatorApp = {
    fetch: async (request, env) => root.fetch(request, env),
    request: async (input, init) => root.request(input, init),
  };
  return {
    app,
    world: { clock, registry, tenants: () => registry.all(), tenant: (h) => control.tenant(h) },
    control,
    controlToken,
    credentials: () => control.credentials(),
    async listen(listenOptions = {}) {
      const tlsDir =
        listenOptions.tlsDir ?? options.tlsDir ?? join(tmpdir(), `duowatch-emulator-${String(process.pid)}`);
      const tls = await prepareTls({ dir: tlsDir, dnsNames: registry.all().map((t) => t.hostname) });
      const { tlsDir: _ignored, ...rest } = listenOptions;
      return listenTls((req, env) => root.fetch(req, env), tls, rest);
    },
  };
}
