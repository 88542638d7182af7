import { join } from 'node:path';
import type { CapabilityContext, StartedCapability } from '../app/index.js';
import type { JobDefinition, RunOutcome } from '../scheduler/index.js';
import { checkpointRepository } from './checkpoint.repository.js';
import { collectOrg, processOwner } from './collect-org.js';
import { createDeliveryLock } from './delivery-lock.js';
import { prepareSinks } from './prepare-sinks.js';
import { createSink, type LogSink } from './sinks/index.js';
import { LOG_STREAMS } from './streams.js';
import { parseSince } from './windows.js';

/** The organization `serve` creates for the emulated demo tenant (runtime's DEMO_SLUG). */
const DEMO_ORG = 'demo';
/** Duo's logs need two minutes to appear; the log-collection requirements' minimum poll interval for real hosts is 120 s (docs/logs.md). */
const POLL_CRON = '*/2 * * * *';

/**
 * Inside `serve`: one `logs-poll` job per (organization, Admin or Accounts integration) every two minutes.
 * Each stream is leased in the database, so with several processes on PostgreSQL one process polls it at a
 * time, and a dead process's lease runs out (or is taken at once on the same host) so another takes over.
 * Today `serve` collects the demo tenant to a file in the data directory; configured routes are not done
 * (docs/logs.md, "Not done").
 */
export async function startLogs(ctx: CapabilityContext): Promise<StartedCapability> {
  if (ctx.demo === null) return { startupLines: [] };
  const repo = checkpointRepository(ctx.store);
  const file = join(ctx.config.dataDir, 'logs', 'demo-duo-events.ndjson');
  const sinks: LogSink[] = [
    createSink(`file:${file}`, {
      type: 'file',
      path: file,
      format: 'raw',
      rotate: { maxBytes: 64 * 1024 * 1024, maxAgeHours: 0, gzip: true, maxFiles: 5 },
    }),
  ];
  await prepareSinks(sinks, repo, () => ctx.clock().getTime());
  const lock = createDeliveryLock();
  const owner = processOwner();
  const demoOrg = await ctx.store.organizations.findBySlug(DEMO_ORG);

  const job: JobDefinition = {
    kind: 'logs-poll',
    schedule: POLL_CRON,
    expireInSeconds: 600,
    targets: async () => {
      if (demoOrg === undefined) return [];
      return (await ctx.store.integrations.list(demoOrg.id))
        .filter((i) => i.kind === 'admin' || i.kind === 'accounts')
        .map((i) => ({ orgId: demoOrg.id, integrationId: i.id }));
    },
    handler: async (job): Promise<RunOutcome> => {
      const { orgId, integrationId } = job.payload;
      if (orgId === undefined || integrationId === undefined || demoOrg === undefined || orgId !== demoOrg.id)
        return { status: 'skipped', reason: 'not a collected organization' };
      const now = ctx.clock().getTime();
      const reports = await collectOrg(
        {
          store: ctx.store,
          repo,
          clientFor: (o, i) => ctx.clients.forIntegration(ctx.store, o, i),
          sinks,
          lock,
          hub: ctx.shared.logEvents,
          now: () => ctx.clock().getTime(),
          owner,
        },
        { id: demoOrg.id, slug: demoOrg.slug },
        {
          streams: LOG_STREAMS,
          firstFrom: parseSince('24h', now),
          integrationIds: [integrationId],
          respectBackoff: job.trigger === 'schedule',
          signal: job.signal,
        },
      );
      const counts = {
        events: reports.reduce((n, r) => n + (r.result?.events ?? 0), 0),
        streams_ok: reports.filter((r) => r.outcome === 'ok').length,
        streams_failed: reports.filter((r) => r.outcome === 'backoff' || r.outcome === 'needs_grant').length,
      };
      const failed = reports.filter((r) => r.outcome === 'backoff' || r.outcome === 'needs_grant');
      if (failed.length > 0)
        return {
          status: 'failed',
          errorKind: failed.some((r) => r.outcome === 'needs_grant') ? 'needs_grant' : 'stream_backoff',
          errorMessage: failed.map((r) => `${r.key.stream}: ${r.error ?? r.outcome}`).join('; '),
          counts,
        };
      return { status: 'succeeded', counts };
    },
  };

  return {
    jobs: [job],
    async afterStart(scheduler) {
      for (const t of (await job.targets?.(new Date())) ?? []) await scheduler.runNow('logs-poll', t);
    },
    startupLines: [
      `logs: collecting the demo tenant's Duo logs (all six streams) every 2 minutes to ${file}; see \`duowatch logs status\``,
    ],
    async close() {
      for (const s of sinks) await s.close();
    },
  };
}
