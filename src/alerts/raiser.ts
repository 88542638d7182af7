import type { AlertRaiser, NewAlert } from '../app/index.js';
import type { AlertRepository, RaiseRequest } from './alerts.repository.js';
import type { AlertsConfig } from './config-schema.js';
import { occurrences, SEVERITY_RANK, type StoredAlert } from './model.js';
import type { NotifyChannel } from './notify/channel.js';
import { tokenBucket, type Throttle } from './notify/throttle.js';

/** A raised alert with how long its repeats fold; detect passes each rule's own window. */
export type RaisedAlert = NewAlert & { readonly suppressForMs?: number };

export interface RaiserEvents {
  /** Every raise, after it was stored, with the occurrences it stood for (metrics count these). */
  stored?(alert: StoredAlert, created: boolean, occurrences: number): void;
  /** A channel failed; the alert is stored all the same. */
  notifyFailed?(channel: string, alert: StoredAlert, error: unknown): void;
}

export interface RoutedChannel {
  readonly channel: NotifyChannel;
  readonly minSeverity: StoredAlert['severity'];
  readonly throttle: Throttle;
}

export function routeChannel(
  channel: NotifyChannel,
  minSeverity: StoredAlert['severity'],
  perHour: number,
  burst: number,
): RoutedChannel {
  return { channel, minSeverity, throttle: tokenBucket(perHour, burst) };
}

export interface StoredAlertRaiser extends AlertRaiser {
  raise(alert: RaisedAlert): Promise<void>;
  raiseMany(alerts: readonly RaisedAlert[]): Promise<void>;
  /** Resolves when every notification started so far has finished (tests, shutdown). */
  settled(): Promise<void>;
}

/**
 * The raiser every capability gets: stores (folding repeats), then notifies new alerts on each channel whose
 * minimum severity they reach, throttled per channel. Notifications run in the background so a slow SMTP
 * relay never holds up the collector; a failing channel is reported and loses nothing (the alert is stored).
 */
export function createStoredRaiser(options: {
  repo: AlertRepository;
  config: Pick<AlertsConfig, 'suppressionMinutes' | 'mute'>;
  channels: readonly RoutedChannel[];
  orgSlug: (orgId: string) => Promise<string>;
  dashboardUrl: string | null;
  clock?: () => Date;
  events?: RaiserEvents;
}): StoredAlertRaiser {
  const clock = options.clock ?? (() => new Date());
  const pending = new Set<Promise<void>>();
  const muted = (a: NewAlert, slug: string) =>
    options.config.mute.some(
      (m) =>
        m.rule === a.rule &&
        (m.org === undefined || m.org === slug) &&
        (m.entity === undefined || m.entity === a.entity),
    );

  async function notify(alert: StoredAlert, slug: string): Promise<void> {
    for (const route of options.channels) {
      if (SEVERITY_RANK[alert.severity] < SEVERITY_RANK[route.minSeverity]) continue;
      if (!route.throttle.take(clock().getTime())) continue;
      const held = route.throttle.takeDropped();
      const shown: StoredAlert =
        held === 0 ? alert : { ...alert, fields: { ...alert.fields, heldBackByThrottle: held } };
      try {
        await route.channel.send(shown, { orgSlug: slug, dashboardUrl: options.dashboardUrl });
      } catch (error) {
        options.events?.notifyFailed?.(route.channel.name, alert, error);
      }
    }
  }

  async function raiseMany(list: readonly RaisedAlert[]): Promise<void> {
    if (list.length === 0) return;
    const slugs: string[] = [];
    const requests: RaiseRequest[] = [];
    for (const a of list) {
      const slug = await options.orgSlug(a.orgId);
      slugs.push(slug);
      requests.push({
        alert: a,
        suppressForMs: a.suppressForMs ?? options.config.suppressionMinutes * 60_000,
        status: muted(a, slug) ? 'suppressed' : 'open',
      });
    }
    const outcomes = await options.repo.raiseMany(requests);
    outcomes.forEach(({ alert, created }, i) => {
      options.events?.stored?.(alert, created, occurrences(list[i] as RaisedAlert));
      if (!created || alert.status === 'suppressed') return;
      // With the alert's state after the batch: a burst raised at once is one notification with its count.
      const p = notify(alert, slugs[i] as string).finally(() => pending.delete(p));
      pending.add(p);
    });
  }

  return {
    raise: (a) => raiseMany([a]),
    raiseMany,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
