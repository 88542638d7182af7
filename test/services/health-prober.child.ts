// One `serve`-like prober as its own OS process, so the PostgreSQL lease test can SIGKILL it (run with
// `node --import tsx`). Env: DATABASE_URL, PROBER_DIR (data directory with the master key), PROBER_TRANSPORT
// (JSON: resolve pins, CA PEM). Prints its holder id once its loop runs.
import { capabilityMigrations } from '../../src/app/index.js';
import { HEALTH_DEFAULTS } from '../../src/health/config-schema.js';
import { HealthMonitor } from '../../src/health/monitor/monitor.js';
import { probeLeaseTtlMs } from '../../src/health/monitor/probe-lease.js';
import { startProbeLoop } from '../../src/health/monitor/probe-loop.js';
import { allSubjects } from '../../src/health/probe/probe-targets.js';
import { openStore } from '../../src/store/index.js';
import { raiserOf } from '../../src/app/index.js';

const config = { ...HEALTH_DEFAULTS, intervalSeconds: 2, timeoutSeconds: 2 };
const store = await openStore({
  databaseUrl: process.env['DATABASE_URL'] ?? '',
  dataDir: process.env['PROBER_DIR'] ?? '',
  env: {},
  poolSize: 2,
  migrations: capabilityMigrations,
});
const monitor = new HealthMonitor({
  store,
  config,
  transport: JSON.parse(process.env['PROBER_TRANSPORT'] ?? '{}') as ConstructorParameters<
    typeof HealthMonitor
  >[0]['transport'],
  alerts: raiserOf(() => Promise.resolve()),
});
const holder = `child:${String(process.pid)}`;
const ttl = probeLeaseTtlMs(config);
startProbeLoop({
  subjects: () => allSubjects(store),
  intervalMs: config.intervalSeconds * 1000,
  concurrency: 4,
  refreshMs: 1000,
  claim: (s) => monitor.repo.claimProbe(s.integrationId, holder, Date.now(), ttl),
  probe: (s) => monitor.probe(s),
});
process.stdout.write(`${holder}\n`);
// Runs until killed.
setInterval(() => undefined, 60_000);
