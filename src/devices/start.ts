import type { CapabilityContext, StartedCapability } from '../app/index.js';
import type { JobDefinition } from '../scheduler/index.js';
import { createDevicesService } from './devices-service.js';
import { DevicesError } from './errors.js';
import { mountDevicesRoutes } from './routes.js';
import { readSource } from './source.js';

/** Inside `serve`: the daily scheduled syncs, an hourly stale-cache check, and the REST routes. */
export function startDevices(ctx: CapabilityContext): Promise<StartedCapability> {
  const cfg = ctx.config.devices;
  const service = createDevicesService({
    store: ctx.store,
    clientFor: (orgId, id) => ctx.clients.forIntegration(ctx.store, orgId, id),
    settings: { shrinkThreshold: cfg.shrinkThreshold, staleAfterHours: cfg.staleAfterHours },
    alerts: ctx.shared.alerts,
    clock: ctx.clock,
  });
  const jobs: JobDefinition[] = cfg.syncs.map((source, i) => ({
    kind: `devices-sync-${String(i + 1)}`,
    schedule: source.schedule ?? cfg.schedule,
    expireInSeconds: 1800,
    handler: async ({ signal }) => {
      let report;
      try {
        const input = await readSource(source, cfg.allowedUrls, cfg.maxInputMiB * 1024 * 1024, {}, signal);
        report = await service.sync(
          source.org,
          source.integration,
          { bytes: input.bytes, source: input.name },
          {
            format: source.format,
            skipInvalid: source.skipInvalid,
            ...(source.deviceIdColumn === undefined ? {} : { idColumn: source.deviceIdColumn }),
            ...(source.os === undefined ? {} : { os: source.os }),
            trigger: 'schedule',
            actor: 'scheduler',
          },
        );
      } catch (error) {
        // The input never reached a sync (unreadable, invalid, empty): still an alert, the cache untouched.
        const code = error instanceof DevicesError ? error.code : 'error';
        const message = error instanceof Error ? error.message : String(error);
        const org = await ctx.store.organizations.findBySlug(source.org);
        if (org !== undefined)
          await ctx.shared.alerts.raise({
            orgId: org.id,
            source: 'devices',
            rule: 'devices.sync_failed',
            title: `Scheduled trusted-endpoint sync of ${source.integration} failed: ${code}`,
            severity: 'high',
            entity: source.integration,
            firstSeen: ctx.clock(),
            lastSeen: ctx.clock(),
            fields: { error: message },
            dedupeKey: `failed:${source.integration}`,
          });
        return { status: 'failed', errorKind: code, errorMessage: message };
      }
      const counts = {
        active: report.plan.active,
        added: report.plan.added,
        removed: report.plan.removed,
        unchanged: report.plan.unchanged,
        uploaded: report.uploaded,
        device_count: report.device_count ?? 0,
      };
      if (report.outcome === 'synced') return { status: 'succeeded', counts };
      return {
        status: 'failed',
        errorKind: report.error?.code ?? report.outcome,
        errorMessage: report.error?.message ?? report.outcome,
        counts,
      };
    },
  }));
  jobs.push({
    kind: 'devices-stale-check',
    schedule: '40 * * * *',
    handler: async () => ({ status: 'succeeded', counts: { stale: await service.checkStale() } }),
  });
  return Promise.resolve({
    jobs,
    mountRoutes: (app, deps) => {
      mountDevicesRoutes(app, deps, () => service, cfg.maxInputMiB * 1024 * 1024);
    },
    startupLines:
      cfg.syncs.length === 0
        ? []
        : [
            `trusted endpoints: ${String(cfg.syncs.length)} scheduled device-cache sync(s) (${cfg.schedule} UTC by default)`,
          ],
  });
}
