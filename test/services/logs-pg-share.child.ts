// One collector process for the PostgreSQL sharing test (run with `node --import tsx`): the stored
// organization's streams from --since (ms) to its own exactly-once file sink, with a short lease (--lease-ms),
// round after round until no stream is held by another process. Prints one JSON line per stream and round
// ({round, stream, outcome, events}) so the test sees which streams met a live lease. The lease owner's host part is
// --host, not this machine's name: the collector takes a lease of a dead process *on its own host* at once,
// and this test is about the other case, a lease that must expire first. Exit 0 when every stream was
// collected to the end, 3 on any other outcome.
import { parseArgs } from 'node:util';
import { checkpointRepository } from '../../src/logs/checkpoint.repository.js';
import { collectOrg } from '../../src/logs/collect-org.js';
import { createDeliveryLock } from '../../src/logs/delivery-lock.js';
import { prepareSinks } from '../../src/logs/prepare-sinks.js';
import { createFileSink } from '../../src/logs/sinks/index.js';
import { parseStreams } from '../../src/logs/streams.js';
import { openRuntime } from '../../src/runtime/index.js';

const { values } = parseArgs({
  options: {
    org: { type: 'string' },
    since: { type: 'string' },
    streams: { type: 'string' },
    file: { type: 'string' },
    host: { type: 'string' },
    'lease-ms': { type: 'string' },
  },
});
const MAX_ROUNDS = 200; // bounded: with 300 ms between rounds, a minute
const rt = await openRuntime({ env: process.env, cwd: process.cwd() });
const sink = createFileSink({ path: values.file ?? '', format: 'raw' });
const owner = `${values.host ?? 'elsewhere'}:${String(process.pid)}:${Math.floor(Math.random() * 1e9).toString(36)}`;
let code = 3;
try {
  const org = await rt.store.organizations.findBySlug(values.org ?? '');
  if (org === undefined) throw new Error(`no organization ${String(values.org)}`);
  const repo = checkpointRepository(rt.store);
  await prepareSinks([sink], repo, () => Date.now());
  process.stdout.write(`${JSON.stringify({ owner })}\n`);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const reports = await collectOrg(
      {
        store: rt.store,
        repo,
        clientFor: (orgId, integrationId) => rt.clients.forIntegration(rt.store, orgId, integrationId),
        sinks: [sink],
        lock: createDeliveryLock(),
        now: () => Date.now(),
        owner,
      },
      { id: org.id, slug: org.slug },
      {
        streams: parseStreams(values.streams),
        firstFrom: Number(values.since),
        leaseTtlMs: Number(values['lease-ms']),
      },
    );
    for (const r of reports) {
      const line = { round, stream: r.key.stream, outcome: r.outcome, events: r.result?.events ?? 0 };
      process.stdout.write(`${JSON.stringify(line)}\n`);
      if (r.outcome !== 'ok' && r.outcome !== 'busy')
        process.stderr.write(`${r.key.stream}: ${r.outcome}: ${r.error ?? ''}\n`);
    }
    if (reports.some((r) => r.outcome !== 'ok' && r.outcome !== 'busy')) break;
    if (reports.every((r) => r.outcome === 'ok')) {
      code = 0;
      break;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
} finally {
  await sink.close();
  await rt.close();
}
process.exitCode = code;
