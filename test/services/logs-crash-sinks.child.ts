// The collector as a separate process for the crash test (run with `node --import tsx`), so it can be
// SIGKILLed: the stored organization's streams backfilled from --since (ms) to a file sink (exactly once) and a
// syslog TCP sink (at least once) together, through the runtime's own Duo clients. Exit 0 when every stream
// was collected to the end, 3 otherwise.
import { parseArgs } from 'node:util';
import { checkpointRepository } from '../../src/logs/checkpoint.repository.js';
import { collectOrg, processOwner } from '../../src/logs/collect-org.js';
import { createDeliveryLock } from '../../src/logs/delivery-lock.js';
import { prepareSinks } from '../../src/logs/prepare-sinks.js';
import { createFileSink, createSyslogSink } from '../../src/logs/sinks/index.js';
import { parseStreams } from '../../src/logs/streams.js';
import { openRuntime } from '../../src/runtime/index.js';

const { values } = parseArgs({
  options: {
    org: { type: 'string' },
    since: { type: 'string' },
    streams: { type: 'string' },
    file: { type: 'string' },
    'syslog-port': { type: 'string' },
  },
});
const rt = await openRuntime({ env: process.env, cwd: process.cwd() });
const sinks = [
  createFileSink({ path: values.file ?? '', format: 'raw', maxBytes: 1024 * 1024 * 1024 }),
  createSyslogSink({
    name: 'rsyslog',
    transport: 'tcp',
    host: '127.0.0.1',
    port: Number(values['syslog-port']),
    framing: 'octet-counting',
    maxMessageBytes: 64 * 1024,
    message: { facility: 'local0', appName: 'duowatch', hostname: 'crash', body: 'json', format: 'raw' },
    tls: { ca: null, cert: null, key: null, passphrase: null, servername: null, insecureSkipVerify: false },
    timeoutMs: 30_000,
  }),
];
try {
  const org = await rt.store.organizations.findBySlug(values.org ?? '');
  if (org === undefined) throw new Error(`no organization ${String(values.org)}`);
  const repo = checkpointRepository(rt.store);
  await prepareSinks(sinks, repo, () => Date.now());
  const reports = await collectOrg(
    {
      store: rt.store,
      repo,
      clientFor: (orgId, integrationId) => rt.clients.forIntegration(rt.store, orgId, integrationId),
      sinks,
      lock: createDeliveryLock(),
      now: () => Date.now(),
      owner: processOwner(),
    },
    { id: org.id, slug: org.slug },
    { streams: parseStreams(values.streams), firstFrom: Number(values.since) },
  );
  const failed = reports.filter((r) => r.outcome !== 'ok');
  for (const r of failed) process.stderr.write(`${r.key.stream}: ${r.outcome}: ${r.error ?? ''}\n`);
  process.exitCode = failed.length === 0 ? 0 : 3;
} finally {
  for (const s of sinks) await s.close();
  await rt.close();
}
