import pino from 'pino';
import { DEVICES_UPLOAD_PATH } from '../devices/index.js';
import { bootstrapAdmin } from '../accounts/index.js';
import { allowedHostsFor, createLogger, createServerApp, listen } from '../server/index.js';
import { createScheduler, type Scheduler } from '../scheduler/index.js';
import { DEMO_SLUG, openRuntime, type Runtime } from './open-runtime.js';
import { storeRunRecorder } from '../services/index.js';
import { credentialGate } from '../integrations/index.js';
import {
  capabilities,
  createLogEventHub,
  type SharedServices,
  type StartedCapability,
  raiserOf,
} from '../app/index.js';

export interface ServiceOptions {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  dataDir?: string | undefined;
  configFile?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  /** Where the console lines for the person who started it go (never the log). */
  out: (line: string) => void;
}

export interface RunningService {
  url: string;
  runtime: Runtime;
  scheduler: Scheduler;
  /** Set when this start created the first administrator with a generated password. */
  bootstrap: { username: string; password?: string } | null;
  stop(): Promise<void>;
}

/** Composes the whole service; every part is stopped in reverse order, also when a later part fails. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  // Structured logs go to stderr so stdout keeps the few lines meant for the person who started it.
  const logger = createLogger({
    level: options.env['DUOWATCH_LOG_LEVEL'] ?? 'info',
    destination: pino.destination({ fd: 2, sync: false }),
  });
  const clock = (): Date => new Date();
  const runtime = await openRuntime({
    env: options.env,
    cwd: options.cwd,
    dataDir: options.dataDir,
    configFile: options.configFile,
    logger,
    demo: true,
    scheduler: ({ config, store }) => {
      const databaseUrl = config.database.url?.reveal() ?? '';
      const engine = /^postgres(ql)?:/.test(databaseUrl)
        ? ({ engine: 'pgboss', connectionString: databaseUrl } as const)
        : ({ engine: 'local' } as const);
      return createScheduler(engine, {
        recorder: storeRunRecorder(store),
        backoffGate: credentialGate(store, clock),
        logger,
      });
    },
  });
  const scheduler = runtime.scheduler;
  if (scheduler === null) throw new Error('openRuntime built no scheduler');
  const stops: Array<() => Promise<void>> = [() => runtime.close()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
  };
  try {
    const { config, store, services } = runtime;
    const admin = await bootstrapAdmin(store, {
      username: config.admin.username,
      ...(config.admin.bootstrapPassword === null
        ? {}
        : { password: config.admin.bootstrapPassword.reveal() }),
    });

    if (runtime.demo !== null && (await store.organizations.findBySlug(DEMO_SLUG)) === undefined) {
      const c = runtime.demo.credentials;
      await services.orgs.create({ slug: DEMO_SLUG, name: 'Demo (emulated Duo tenant)' }, { id: 'system' });
      // The normal path: Test before Save against the emulator, exactly as a real tenant is added.
      const saved = await services.integrations.add(
        DEMO_SLUG,
        {
          kind: 'admin',
          apiHost: c.hostname,
          ikey: c.admin.ikey,
          skey: c.admin.skey,
          label: 'Emulated Admin API',
        },
        {},
        { id: 'system' },
      );
      if (!saved.saved)
        logger.warn({ checks: saved.report.checks }, 'the demo integration did not pass its test');
    }

    const startedCapabilities: StartedCapability[] = [];
    // Until a capability provides stored alerts, an alert is at least a warning in the log.
    let shared: SharedServices = {
      logEvents: createLogEventHub((error) => logger.error({ err: error }, 'log event subscriber failed')),
      alerts: raiserOf((alert) => {
        logger.warn({ alert: { rule: alert.rule, orgId: alert.orgId, entity: alert.entity } }, alert.title);
        return Promise.resolve();
      }),
    };
    for (const capability of capabilities) {
      if (capability.start === undefined) continue;
      const one = await capability.start({
        config,
        store,
        clients: runtime.clients,
        services,
        logger,
        env: options.env,
        clock,
        demo: runtime.demo,
        shared,
      });
      shared = { ...shared, ...one.provides };
      startedCapabilities.push(one);
      stops.push(async () => {
        await one.close?.();
      });
      for (const job of one.jobs ?? []) scheduler.register(job);
    }
    await scheduler.start();
    const started = scheduler;
    stops.push(() => started.stop({ timeoutMs: 10_000 }));

    for (const one of startedCapabilities) await one.afterStart?.(started);

    const app = createServerApp({
      services,
      store,
      logger,
      routes: startedCapabilities.map((one) => (app, deps) => one.mountRoutes?.(app, deps)),
      ...(shared.secondFactor === undefined ? {} : { secondFactor: shared.secondFactor }),
      config: {
        secureCookies: (config.server.publicUrl ?? '').startsWith('https:'),
        trustProxy: config.server.trustProxy,
        trustedProxies: config.server.trustedProxies,
        allowedHosts: allowedHostsFor({
          listenHost: options.host ?? config.server.host,
          publicUrl: config.server.publicUrl,
          extra: config.server.allowedHosts,
        }),
        metricsToken: config.server.metricsToken?.reveal() ?? null,
        // The trusted-endpoint upload carries a whole fleet export: its own limit (docs/devices.md).
        bodyLimits: [{ path: DEVICES_UPLOAD_PATH, bytes: config.devices.maxInputMiB * 1024 * 1024 + 65_536 }],
      },
    });
    const http = await listen(app, {
      host: options.host ?? config.server.host,
      port: options.port ?? config.server.port,
    });
    stops.push(() => http.close());

    options.out(`duowatch is running: open ${http.url}/`);
    if (admin.created)
      options.out(
        admin.password === undefined
          ? `administrator "${admin.username}" created with the password from DUOWATCH_ADMIN_PASSWORD`
          : `administrator "${admin.username}" created; password (shown once, not stored in clear): ${admin.password}`,
      );
    if (runtime.demo !== null) {
      options.out(
        `showing an EMULATED Duo tenant (${runtime.demo.credentials.hostname}, organization "${DEMO_SLUG}"): no real Duo is contacted.`,
      );
      options.out(
        'to connect a real tenant: add an Admin API integration in the dashboard (Integrations), or `duowatch integrations add --org <slug> --host api-XXXXXXXX.duosecurity.com --ikey DI…` with the secret key on stdin; set emulator.mode: off to stop the demo.',
      );
    }
    for (const one of startedCapabilities) for (const line of one.startupLines ?? []) options.out(line);
    options.out(
      `data: ${config.dataDir}${store.file === null ? ' (PostgreSQL database)' : ` (SQLite ${store.file})`}`,
    );
    return {
      url: http.url,
      runtime,
      scheduler: started,
      bootstrap: admin.created ? admin : null,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
