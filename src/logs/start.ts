import { alertOutbox } from '../alerts/index.js';
import type { CapabilityContext, StartedCapability } from '../app/index.js';
import { createAlertPump } from './alert-pump.js';
import type { JobDefinition, RunOutcome, Scheduler } from '../scheduler/index.js';
import { registerLogsMetrics } from './metrics.js';
import { pruneAlertOutbox } from './outbox-prune.js';
import { mountLogsRoutes } from './routes.js';
import { openLogsService } from './service.js';

/** How often `serve` looks for alert changes the in-process feed did not announce (other processes, retries). */
export const ALERT_SWEEP_MS = 10_000;

/** Hourly, at a minute no other default schedule uses (so its work never lands on theirs). */
export const OUTBOX_PRUNE_CRON = '47 * * * *';

/**
 * The poll interval as a cron step (the scheduler is cron-driven; pg-boss schedules by the minute): whole
 * minutes below an hour, whole hours above.
 */
export function pollCron(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `*/${String(minutes)} * * * *`;
  return `0 */${String(Math.min(24, Math.round(minutes / 60)))} * * *`;
}

/**
 * Inside `serve`: one `logs-poll` job per (collected organization, Admin or Accounts integration) every poll
 * interval. An organization is collected when a `logs.routes` entry names it (or `*`); the demo tenant also
 * goes to a file in the data directory. Each stream is leased in the database, so with several processes on
 * PostgreSQL one process polls it at a time, and a dead process's lease runs out (or is taken at once on the
 * same host) so another takes over.
 */
export async function startLogs(ctx: CapabilityContext): Promise<StartedCapability> {
  const now = () => ctx.clock().getTime();
  const outbox = alertOutbox(ctx.store);
  const service = await openLogsService({
    config: ctx.config.logs,
    dataDir: ctx.config.dataDir,
    env: ctx.env,
    store: ctx.store,
    clientFor: (o, i, rates) =>
      ctx.clients.forIntegration(ctx.store, o, i, rates === null ? {} : { ratesPerMinute: rates }),
    hub: ctx.shared.logEvents,
    alerts: ctx.shared.alerts,
    demo: ctx.demo !== null,
    now,
    outbox,
    onSinkError: (error, context) =>
      ctx.logger.warn(
        { sink: error.sink, code: error.code, queued: context.queued, attempt: context.attempt },
        error.message,
      ),
  });
  let scheduler: Scheduler | null = null;
  // duowatch's own alert changes (raised, folded, acknowledged, resolved) go from the outbox to the sinks of
  // the routes that carry `alerts`, checkpointed like a Duo stream (src/logs/alert-stream.ts).
  const stopping = new AbortController();
  const pump = ctx.config.logs.routes.some((r) => r.streams.includes('alerts'))
    ? createAlertPump({
        sweepMs: ALERT_SWEEP_MS,
        onError: (error) =>
          ctx.logger.warn(
            { err: { message: error instanceof Error ? error.message : String(error) } },
            'alert delivery to the log sinks failed',
          ),
        async run(orgIds) {
          for (const org of await service.alertOrgs()) {
            if (stopping.signal.aborted) return;
            if (orgIds !== null && !orgIds.includes(org.id)) continue;
            const report = await service.deliverAlerts(org.id, {
              respectBackoff: true,
              signal: stopping.signal,
            });
            if (report !== null && report.outcome === 'backoff')
              ctx.logger.warn(
                { org: org.slug, stream: 'alerts', error: report.error },
                'alert changes not delivered to the log sinks; retried after the back-off',
              );
          }
        },
      })
    : null;
  const unsubscribe =
    pump === null ? undefined : ctx.shared.alertFeed?.subscribe((change) => pump.nudge(change.orgId));
  // With collection on for an organization, the auth-log evidence poll reads the collected stream instead of
  // asking Duo a second time (docs/logs.md, "Evidence from the collected stream").
  if (service.active) ctx.services.useCollectedAuthLog?.(service.collectedAuthLog);

  const job: JobDefinition = {
    kind: 'logs-poll',
    schedule: pollCron(ctx.config.logs.pollIntervalSeconds),
    expireInSeconds: 600,
    targets: () => service.targets(),
    handler: async (job): Promise<RunOutcome> => {
      const { orgId, integrationId } = job.payload;
      if (orgId === undefined || integrationId === undefined)
        return { status: 'skipped', reason: 'not a collected organization' };
      const reports = await service.poll(orgId, integrationId, {
        respectBackoff: job.trigger === 'schedule',
        signal: job.signal,
      });
      if (reports.length === 0) return { status: 'skipped', reason: 'not a collected organization' };
      const failed = reports.filter((r) => r.outcome === 'backoff' || r.outcome === 'needs_grant');
      const counts = {
        events: reports.reduce((n, r) => n + (r.result?.events ?? 0), 0),
        streams_ok: reports.filter((r) => r.outcome === 'ok').length,
        streams_failed: failed.length,
      };
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

  const inventoryJob: JobDefinition = {
    kind: 'logs-inventory',
    schedule: ctx.config.logs.inventory.cron,
    expireInSeconds: 1800,
    targets: () => service.targets(),
    handler: async (job): Promise<RunOutcome> => {
      const { orgId, integrationId } = job.payload;
      if (orgId === undefined || integrationId === undefined)
        return { status: 'skipped', reason: 'not a collected organization' };
      const results = await service.inventory(orgId, integrationId, job.signal);
      if (results.length === 0) return { status: 'skipped', reason: 'not a collected organization' };
      const counts = Object.fromEntries(
        ['users', 'phones', 'endpoints'].map((k) => [
          k,
          results.filter((r) => r.kind === k).reduce((n, r) => n + r.count, 0),
        ]),
      );
      const failed = results.filter((r) => r.error !== null);
      if (failed.length === results.length)
        return {
          status: 'failed',
          errorKind: 'inventory_failed',
          errorMessage: failed.map((r) => `${r.kind}: ${r.error ?? ''}`).join('; '),
          counts,
        };
      return { status: 'succeeded', counts };
    },
  };

  // The outbox grows by a row per alert change whether or not anything routes alerts, so this job runs in every
  // `serve` (docs/logs.md, "Pruning the outbox"); on PostgreSQL one process runs each slot.
  const pruneJob: JobDefinition = {
    kind: 'alert-outbox-prune',
    schedule: OUTBOX_PRUNE_CRON,
    expireInSeconds: 900,
    handler: async (job): Promise<RunOutcome> => {
      const routed = new Set((await service.alertOrgs()).map((o) => o.id));
      const result = await pruneAlertOutbox(
        { outbox, repo: service.repo, now },
        {
          retentionMs: ctx.config.alerts.outboxRetentionDays * 86_400_000,
          routedOrgIds: routed,
          signal: job.signal,
        },
      );
      return { status: 'succeeded', counts: { ...result } };
    },
  };

  const collectNow = async (orgId: string): Promise<number> => {
    if (scheduler === null) return 0;
    const targets = (await service.targets()).filter((t) => t.orgId === orgId);
    for (const t of targets) await scheduler.runNow('logs-poll', t);
    return targets.length;
  };

  const lines: string[] = [];
  if (service.demoFile !== null)
    lines.push(
      `logs: collecting the demo tenant's Duo logs (all six streams) every ${String(ctx.config.logs.pollIntervalSeconds)} s to ${service.demoFile}; see \`duowatch logs status\``,
    );
  if (ctx.config.logs.routes.length > 0)
    lines.push(
      `logs: ${String(ctx.config.logs.routes.length)} route(s) to ${String(Object.keys(ctx.config.logs.sinks).length)} sink(s) (${Object.keys(ctx.config.logs.sinks).join(', ')}); the dashboard's Logs page shows streams and sinks`,
    );

  return {
    jobs: [
      ...(service.active ? [job, ...(ctx.config.logs.inventory.enabled ? [inventoryJob] : [])] : []),
      pruneJob,
    ],
    mountRoutes(app, deps) {
      registerLogsMetrics(deps.metrics.registry, service);
      mountLogsRoutes(app, deps, service, collectNow);
    },
    async afterStart(s) {
      scheduler = s;
      pump?.start();
      if (!service.active) return;
      for (const t of await service.targets()) await s.runNow('logs-poll', t);
    },
    startupLines: lines,
    async close() {
      unsubscribe?.();
      stopping.abort(new Error('serve is stopping'));
      await pump?.close();
      ctx.services.useCollectedAuthLog?.(null);
      await service.close();
    },
  };
}
