// One process of the alert-outbox crash test (run with `node --import tsx`): the real alerts and logs
// capabilities, started as `serve` starts them, over the configured store (SQLite, or PostgreSQL with
// DATABASE_URL). It raises --alerts alerts for --org through the stored raiser, acknowledges the first, and
// prints `{"stored": n}` once every change is committed. Its alerts route's webhook receiver never answers
// in this phase, so the delivery the feed started hangs after the file sink wrote (uncommitted); the test
// SIGKILLs this process there.
import { parseArgs } from 'node:util';
import { alertsCapability } from '../src/alerts/index.js';
import { alertRepository } from '../src/alerts/alerts.repository.js';
import { createLogEventHub, type CapabilityContext } from '../src/app/index.js';
import { logsCapability } from '../src/logs/index.js';
import { openRuntime } from '../src/runtime/index.js';
import { raiserOf } from '../src/app/index.js';

const { values } = parseArgs({
  options: { org: { type: 'string' }, alerts: { type: 'string' }, tag: { type: 'string' } },
});
const rt = await openRuntime({
  env: process.env,
  cwd: process.cwd(),
  configFile: process.env['DUOWATCH_CONFIG'],
});
const org = await rt.store.organizations.findBySlug(values.org ?? '');
if (org === undefined) throw new Error(`no organization ${String(values.org)}`);
const logger = {
  info: () => undefined,
  warn: (o: object, m?: string) => process.stderr.write(`${m ?? ''} ${JSON.stringify(o)}\n`),
  error: (o: object, m?: string) => process.stderr.write(`${m ?? ''} ${JSON.stringify(o)}\n`),
  debug: () => undefined,
};
const ctx = {
  config: rt.config,
  store: rt.store,
  clients: rt.clients,
  services: rt.services,
  logger,
  env: process.env,
  clock: () => new Date(),
  demo: null,
  shared: { logEvents: createLogEventHub(() => undefined), alerts: raiserOf(() => Promise.resolve()) },
} as unknown as CapabilityContext;
const alerts = await alertsCapability.start!(ctx);
await logsCapability.start!({ ...ctx, shared: { ...ctx.shared, ...alerts.provides } });
const raiser = alerts.provides!.alerts!;
const n = Number(values.alerts ?? '3');
for (let i = 0; i < n; i++)
  await raiser.raise({
    orgId: org.id,
    source: 'detect',
    rule: 'duo.fraud',
    title: `Fraud reported by user ${values.tag ?? ''}-${String(i)}`,
    severity: 'high',
    entity: `${values.tag ?? ''}-${String(i)}`,
    firstSeen: new Date(),
    lastSeen: new Date(),
  });
const first = (await alertRepository(rt.store).list(org.id, { entity: `${values.tag ?? ''}-0` }))[0];
if (first !== undefined) await alertRepository(rt.store).setStatus(first.id, 'acknowledged', 'crash-test');
process.stdout.write(`${JSON.stringify({ stored: n + 1 })}\n`);
// Bounded: the test kills this process long before.
await new Promise((resolve) => setTimeout(resolve, 120_000));
process.exit(0);
