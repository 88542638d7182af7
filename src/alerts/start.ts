import { Counter, Gauge } from 'prom-client';
import type { AlertChangeNotice, AlertFeed, CapabilityContext, StartedCapability } from '../app/index.js';
import { alertRepository, type AlertRepository } from './alerts.repository.js';
import { emailChannel } from './notify/email.js';
import { webhookChannel } from './notify/webhook.js';
import { createStoredRaiser, routeChannel, type RoutedChannel } from './raiser.js';
import { mountAlertRoutes } from './routes.js';

/** Stored alerts for every capability started after this one, with notifications, routes and metrics. */
export function startAlerts(ctx: CapabilityContext): StartedCapability {
  const config = ctx.config.alerts;
  const stored = alertRepository(ctx.store, { clock: ctx.clock });
  const channels: RoutedChannel[] = [];
  if (config.webhook !== null)
    channels.push(
      routeChannel(
        webhookChannel({ url: config.webhook.url, secret: config.webhook.secret, clock: ctx.clock }),
        config.webhook.minSeverity,
        config.webhook.perHour,
        config.webhook.burst,
      ),
    );
  if (config.email !== null)
    channels.push(
      routeChannel(
        emailChannel(config.email),
        config.email.minSeverity,
        config.email.perHour,
        config.email.burst,
      ),
    );
  const slugs = new Map<string, string>();
  let raised: Counter<'source' | 'rule' | 'severity'> | null = null;
  // Committed changes for the capabilities that forward them (the log sinks' `alerts` routes read the outbox).
  const listeners = new Set<(change: AlertChangeNotice) => void>();
  const alertFeed: AlertFeed = {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const announce = (change: AlertChangeNotice): void => {
    for (const listener of listeners)
      try {
        listener(change);
      } catch (error) {
        ctx.logger.error({ err: error, alert: change.alertId }, 'alert feed listener failed');
      }
  };
  // Acknowledge and resolve (REST routes) are announced like raises.
  const repo: AlertRepository = {
    ...stored,
    async setStatus(id, status, by, note) {
      const changed = await stored.setStatus(id, status, by, note);
      announce({ orgId: changed.orgId, alertId: changed.id });
      return changed;
    },
  };
  const raiser = createStoredRaiser({
    repo,
    config,
    channels,
    dashboardUrl: ctx.config.server.publicUrl,
    clock: ctx.clock,
    async orgSlug(orgId) {
      let slug = slugs.get(orgId);
      if (slug === undefined) {
        slug = (await ctx.store.organizations.get(orgId))?.slug ?? orgId;
        slugs.set(orgId, slug);
      }
      return slug;
    },
    events: {
      stored: (a, _created, occurrences) => {
        raised?.inc({ source: a.source, rule: a.rule, severity: a.severity }, occurrences);
        announce({ orgId: a.orgId, alertId: a.id });
      },
      notifyFailed: (channel, alert, error) =>
        ctx.logger.warn(
          {
            channel,
            alert: alert.id,
            rule: alert.rule,
            err: { message: error instanceof Error ? error.message : String(error) },
          },
          'alert notification failed',
        ),
    },
  });
  const describe = [
    config.webhook === null ? null : `webhook ≥ ${config.webhook.minSeverity}`,
    config.email === null ? null : `e-mail ≥ ${config.email.minSeverity}`,
  ].filter((x) => x !== null);
  return {
    provides: { alerts: raiser, alertFeed },
    mountRoutes(app, deps) {
      const registers = [deps.metrics.registry];
      raised =
        (deps.metrics.registry.getSingleMetric('duowatch_alerts_raised_total') as typeof raised) ??
        new Counter({
          name: 'duowatch_alerts_raised_total',
          help: 'Alerts raised since start (folded repeats included), by source, rule and severity',
          labelNames: ['source', 'rule', 'severity'],
          registers,
        });
      if (deps.metrics.registry.getSingleMetric('duowatch_alerts') === undefined)
        new Gauge({
          name: 'duowatch_alerts',
          help: 'Stored alerts by rule, severity and status',
          labelNames: ['rule', 'severity', 'status'],
          registers,
          async collect() {
            this.reset();
            for (const r of await repo.counts())
              this.set({ rule: r.rule, severity: r.severity, status: r.status }, r.n);
          },
        });
      mountAlertRoutes(app, deps, repo);
    },
    startupLines: [
      `alerts: stored per organization; notifications: ${describe.length === 0 ? 'none configured' : describe.join(', ')}`,
    ],
    close: () => raiser.settled(),
  };
}
