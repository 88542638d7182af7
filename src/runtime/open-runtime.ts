import { capabilityExportSections, capabilityMigrations } from '../app/index.js';
import { join } from 'node:path';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { loadConfig, storeOptions, type Config } from '../config/index.js';
import { openStore, type Store, type StoreLogger } from '../store/index.js';
import { createIntegrationsService, DuoClients } from '../integrations/index.js';
import { createServices, type DuowatchServices, type EvidenceJobs } from '../services/index.js';
import type { Emulator, TenantCredentials } from '../emulator/index.js';
import type { Scheduler } from '../scheduler/index.js';
import { duoClientsOptions } from './duo-transport.js';
import { queueIdentitySync } from '../evidence/index.js';

export interface RuntimeOptions {
  dataDir?: string | undefined;
  configFile?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  logger?: StoreLogger;
  /** `serve`: start the built-in emulator when no real Duo integration is configured. */
  demo?: boolean;
  /**
   * `serve`: builds the scheduler once the store is open, before the services, so "Sync now" hands work to
   * a scheduler that exists (it is started by the caller, after registering jobs).
   */
  scheduler?: (deps: { config: Config; store: Store }) => Scheduler;
}

export interface DemoTenant {
  emulator: Emulator;
  credentials: TenantCredentials;
  address: string;
  port: number;
  caFile: string;
  close(): Promise<void>;
}

export interface Runtime {
  config: Config;
  store: Store;
  clients: DuoClients;
  services: DuowatchServices & EvidenceJobs;
  demo: DemoTenant | null;
  /** Present when `scheduler` was given. */
  scheduler: Scheduler | null;
  close(): Promise<void>;
}

export const DEMO_SLUG = 'demo';
/** In `<dataDir>/emulator/` while `serve` runs the demo: how to reach its control API (docs/health.md). */
export const DEMO_CONTROL_FILE = 'demo-control.json';
export interface DemoControl {
  controlUrl: string;
  controlToken: string;
  caFile: string;
  /** The demo tenant's API hostname. */
  hostname: string;
}
/** Fixed so the demo tenant, its keys and its CA are the same on every start (the store keeps its keys). */
const DEMO_SEED = 'duowatch-demo';

/**
 * Loads the configuration, opens the store (migrating it), and builds the services. With `demo`, and when
 * the emulator is on — or `auto` and nothing but the demo organization holds an integration — the emulator
 * starts in-process over real TLS on loopback first, so the client reaches it through the same guarded
 * transport a real tenant uses (resolve override + its CA, private addresses allowed for that host only).
 */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const config = await loadConfig({
    file: options.configFile,
    env: options.env,
    cwd: options.cwd,
    overrides: { dataDir: options.dataDir },
  });
  const store = await openStore({
    ...storeOptions(config, options.env, options.logger),
    migrations: capabilityMigrations,
  });
  let demo: DemoTenant | null = null;
  try {
    if (options.demo === true && (await wantsDemo(config, store))) demo = await startDemo(config);
    const clients = new DuoClients(
      duoClientsOptions(
        config,
        options.env,
        demo === null
          ? {}
          : {
              resolve: { [demo.credentials.hostname]: { address: demo.address, port: demo.port } },
              caPem: await readFile(demo.caFile, 'utf8'),
              allowPrivateAddresses: true,
            },
      ),
    );
    const scheduler = options.scheduler?.({ config, store }) ?? null;
    const integrations = createIntegrationsService({ store, clients });
    await integrations.applyDeclared(config.integrations);
    const services = createServices({
      store,
      clients,
      integrations,
      authFailedBackoffMs: config.schedules.authFailedBackoffHours * 3_600_000,
      exportSections: capabilityExportSections({ store, config }),
      ...(scheduler === null
        ? {}
        : { queue: (_kind, payload) => queueIdentitySync(scheduler, store, payload.orgId) }),
    });
    return {
      config,
      store,
      clients,
      services,
      demo,
      scheduler,
      async close() {
        await clients.close();
        await demo?.close();
        await store.close();
      },
    };
  } catch (error) {
    await demo?.close();
    await store.close();
    throw error;
  }
}

async function wantsDemo(config: Config, store: Store): Promise<boolean> {
  if (config.emulator.mode === 'off') return false;
  if (config.emulator.mode === 'on') return true;
  if (config.integrations.length > 0) return (await store.organizations.findBySlug(DEMO_SLUG)) !== undefined;
  for (const org of await store.organizations.list()) {
    if (org.slug === DEMO_SLUG) return true;
    if ((await store.integrations.list(org.id)).length > 0) return false;
  }
  return true;
}

async function startDemo(config: Config): Promise<DemoTenant> {
  const { createEmulator } = await import('../emulator/index.js');
  const tlsDir = join(config.dataDir, 'emulator');
  const emulator = await createEmulator({ seed: DEMO_SEED, users: 250, tlsDir });
  const listening = await emulator.listen({ host: '127.0.0.1', port: 0, tlsDir });
  const credentials = emulator.credentials()[0];
  if (credentials === undefined) throw new Error('the demo emulator has no tenant');
  // Where `duowatch emulator fault` finds the running demo's control API; owner-only, as it holds the token,
  // and removed when the demo stops.
  const controlFile = join(tlsDir, DEMO_CONTROL_FILE);
  const control: DemoControl = {
    controlUrl: `https://127.0.0.1:${String(listening.port)}/_emulator`,
    controlToken: emulator.controlToken,
    caFile: listening.caFile,
    hostname: credentials.hostname,
  };
  await writeFile(controlFile, JSON.stringify(control) + '\n', { mode: 0o600 });
  return {
    emulator,
    credentials,
    address: listening.address,
    port: listening.port,
    caFile: listening.caFile,
    close: async () => {
      await rm(controlFile, { force: true });
      await listening.close();
    },
  };
}
