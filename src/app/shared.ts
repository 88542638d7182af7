import type { SecondFactor } from '../accounts/index.js';
/**
 * What capabilities offer one another inside `serve`, as narrow interfaces (docs/conventions.md §4). The composition root
 * builds the hub and the alert raiser before any capability starts; a capability that provides more (the
 * health capability's fail-mode advisor) returns it from `start`, and later capabilities find it here.
 */

/** The Duo log streams the collector reads. */
export type LogStream = 'auth' | 'admin' | 'telephony' | 'activity' | 'trust_monitor' | 'offline_enrollment';

/** One collected Duo event, as delivered to the sinks. */
export interface CollectedEvent {
  /** Deterministic id (the same event collected twice has the same id). */
  readonly id: string;
  readonly stream: LogStream;
  readonly orgId: string;
  readonly orgSlug: string;
  /** Event time in epoch milliseconds. */
  readonly ts: number;
  /** Duo's event object, unchanged. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Collected events, in order per organization and stream, after every sink on the route acknowledged them. */
export interface LogEventHub {
  publish(events: readonly CollectedEvent[]): Promise<void>;
  /** Returns the unsubscribe function. A subscriber that throws is logged, never stops the collector. */
  subscribe(listener: (events: readonly CollectedEvent[]) => Promise<void> | void): () => void;
}

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

/** An alert any capability raises; stored per organization, folded by `dedupeKey`, notified per channel. */
export interface NewAlert {
  readonly orgId: string;
  /** The raising capability: `detect`, `health`, `devices`, `verify`, `logs`. */
  readonly source: string;
  /** Stable rule id, e.g. `duo.mfa_fatigue`, `health.down`, `devices.shrink_refused`. */
  readonly rule: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  /** What the alert is about: a username, an integration id, a sink name. */
  readonly entity: string;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  /**
   * How many occurrences this raise stands for (default 1): a detection batch folds a digest's firings into one
   * raise, and the alert's count goes up by all of them.
   */
  readonly count?: number;
  /** Ids of the events that caused it (collected event ids where there are some). */
  readonly eventIds?: readonly string[];
  /** Enough to triage without opening the SIEM; never a secret. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Repeats with the same key inside the rule's suppression window are folded into one alert. */
  readonly dedupeKey?: string;
  /** That window, counted from the alert's first occurrence (default: `alerts.suppressionMinutes`). */
  readonly suppressForMs?: number;
}

export interface AlertRaiser {
  raise(alert: NewAlert): Promise<void>;
  /**
   * Raises a batch in order, with the same alerts as one `raise` after another, in one transaction: each alert
   * the batch touched is written and announced once (a detection batch folds hundreds of repeats).
   */
  raiseMany(alerts: readonly NewAlert[]): Promise<void>;
}

/** A raiser from a single-alert `raise`; `raiseMany` raises one after another (the log-only fallback, tests). */
export function raiserOf(raise: (alert: NewAlert) => Promise<void>): AlertRaiser {
  return {
    raise,
    async raiseMany(alerts) {
      for (const a of alerts) await raise(a);
    },
  };
}

/** An alert changed (raised, folded, acknowledged, resolved); its outbox row is committed. */
export interface AlertChangeNotice {
  readonly orgId: string;
  readonly alertId: string;
}

/**
 * The alerts capability's in-process announcements of committed changes, so the log sinks' `alerts` stream
 * reads the outbox at once instead of at its next sweep; a listener that throws is logged and ignored.
 */
export interface AlertFeed {
  subscribe(listener: (change: AlertChangeNotice) => void): () => void;
}

export type FailModeRole = 'owner' | 'admin' | 'auditor' | 'viewer' | (string & {});

export interface FailModeQuestion {
  readonly orgId: string;
  /** The application as the operator named it in the policy (duowatch's own login is `duowatch`). */
  readonly application: string;
  readonly role: FailModeRole;
  readonly username: string;
  readonly integrationId?: string;
  /** Why the second factor could not be checked. */
  readonly cause: 'down' | 'timeout' | 'error';
  readonly ip?: string;
}

export interface FailModeDecision {
  readonly allow: boolean;
  readonly mode: 'closed' | 'open' | 'open_for_roles';
  /** Always false: a fail-open decision is a password-only login and says so. */
  readonly mfa: false;
  /** e.g. "password only: Duo DOWN since 12:01 (policy open_for_roles for viewer)". */
  readonly reason: string;
}

/** The health capability's fail-mode policy; absent when health is not running (callers then fail closed). */
export interface FailModeAdvisor {
  decide(question: FailModeQuestion): Promise<FailModeDecision>;
}

export interface SharedServices {
  readonly logEvents: LogEventHub;
  readonly alerts: AlertRaiser;
  /** Committed alert changes (the alerts capability); absent when it does not run. */
  readonly alertFeed?: AlertFeed;
  readonly failMode?: FailModeAdvisor;
  /** The verify capability's Duo step on the duowatch login; `serve` hands it to the server. */
  readonly secondFactor?: SecondFactor;
}
