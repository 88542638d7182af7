import type { AlertSeverity, LogStream } from '../app/index.js';
import type { DetectEvent } from './detect-event.js';
import type { OrgBaseline, UserBaseline } from './baseline.js';
import type { GeoLookup } from './geo.js';
import type { DistinctWindow, SlidingWindow } from './sliding-window.js';

/** MITRE ATT&CK techniques the catalogue uses. */
export type Mitre = 'T1621' | 'T1556' | 'T1078' | 'T1098' | 'T1110' | 'T1496' | 'T1552';

/** Fields an alert shows so it can be triaged without opening the SIEM (taken from the last event). */
export type TriageField =
  | 'user'
  | 'ip'
  | 'location'
  | 'application'
  | 'factor'
  | 'reason'
  | 'result'
  | 'action'
  | 'object'
  | 'description'
  | 'phone'
  | 'credits';

/** The declarative header every rule carries; the defaults the configuration may override per organization. */
export interface RuleHeader {
  /** Stable id, e.g. `duo.mfa_fatigue` (the alert's `rule`). */
  readonly id: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly mitre: Mitre;
  /** What the alert is about: a Duo user, an administrator, or the whole organization. */
  readonly entity: 'user' | 'admin' | 'org';
  /** The log streams it reads; the engine calls it for these only. */
  readonly streams: readonly LogStream[];
  /**
   * The (lower-case) `result` values it reads, when it reads only some: the engine then skips it for events with
   * another result (most of a tenant's events are successes, and most auth rules look at failures). Absent:
   * every event of its streams.
   */
  readonly results?: readonly string[] | undefined;
  /** Sliding window for count rules, else null (single event). */
  readonly windowMs: number | null;
  /** Count rules fire when the window holds at least this many events; null for single-event rules. */
  readonly threshold: number | null;
  /** Repeats for the same entity within this long after the first are folded into one alert. */
  readonly suppressionMs: number;
  readonly fields: readonly TriageField[];
  /** Rule-specific numbers (caps, multipliers, distances), overridable by name in the configuration. */
  readonly params: Readonly<Record<string, number>>;
  /** One line: the logic, for docs and `--help`. */
  readonly logic: string;
}

/** The header's numbers after the configuration for one organization applied. */
export interface RuleSettings {
  readonly threshold: number;
  readonly windowMs: number;
  readonly suppressionMs: number;
  readonly params: Readonly<Record<string, number>>;
  /** The history rules' parameters from `params`, read per login (see `HistoryParams`). */
  readonly history: HistoryParams;
}

/**
 * The parameters the history rules share (rules/history.ts, rules/digest.ts), in milliseconds, with their
 * defaults, in one object of one shape for every rule. Each rule's `params` has its own names, so a read of
 * `params['baselineDays']` shared by rules of several shapes was a megamorphic lookup: 2.5 % of the engine's
 * instructions (docs/detect.md "Throughput, eighth pass").
 */
export interface HistoryParams {
  readonly minHistoryMs: number;
  readonly excludeMs: number;
  readonly baselineMs: number;
  /** Other users of the organization that make a place known (0: the check is off). */
  readonly orgUsers: number;
  /** 1: the rule fires as a daily digest per organization. */
  readonly digest: number;
}

export function historyParams(params: Readonly<Record<string, number>>): HistoryParams {
  return {
    minHistoryMs: (params['minHistoryDays'] ?? 3) * DAY,
    excludeMs: (params['excludeHours'] ?? 1) * HOUR,
    baselineMs: (params['baselineDays'] ?? 14) * DAY,
    orgUsers: params['orgUsers'] ?? 0,
    digest: params['digest'] ?? 0,
  };
}

/**
 * Mutable state of one user, administrator or organization; evicted when idle. The window lists are created on
 * first use (most users never need one). An entity has one or two windows: one is held directly, more in a list,
 * each naming its rule (a Map per entity cost ~150 bytes each for 100k users, a `[ruleId, window]` list 64).
 * Distinct-value windows (telephony) are flat `[ruleId, window, …]` lists.
 */
export interface EntityState {
  lastTs: number;
  windows: SlidingWindow | SlidingWindow[] | null;
  distincts: (string | DistinctWindow)[] | null;
}

/** What the allow-lists from the configuration answer. */
export interface AllowLists {
  trustedIp(ip: string | null): boolean;
  serviceAccount(user: string | null): boolean;
  allowedFactor(factor: string | null): boolean;
}

export interface RuleContext {
  readonly settings: RuleSettings;
  /** The event's user (auth, trust monitor) or administrator (admin log); null when it has none. */
  readonly entity: EntityState | null;
  readonly org: EntityState;
  /** The user's persisted history before this event (the engine learns from an event after the rules ran). */
  readonly baseline: UserBaseline | null;
  readonly orgBaseline: OrgBaseline;
  readonly allow: AllowLists;
  readonly geo: GeoLookup;
  /** The sliding window of this rule in `scope`, created with the rule's window on first use. */
  window(scope: EntityState, windowMs?: number): SlidingWindow;
  /** The rule's window in `scope` if one exists (a rule that only reads need not create one). */
  existingWindow(scope: EntityState): SlidingWindow | null;
  /** The rule's distinct-value window in `scope` (e.g. phone numbers), created on first use. */
  distinct(scope: EntityState, windowMs?: number): DistinctWindow;
}

/** A rule's verdict on one event. */
export interface Firing {
  readonly entity: string;
  /** The events that caused it, oldest first (the current one last). */
  readonly eventIds: readonly string[];
  /** Overrides the header's severity (a Trust Monitor priority event). */
  readonly severity?: AlertSeverity;
  /** Rule-specific triage facts (distance and speed, counts, baseline). */
  readonly facts?: Readonly<Record<string, unknown>> | undefined;
  /**
   * A digest's users so far (rules/digest.ts); the alert shows them after the facts as `digest: true`, `users`
   * (the count) and `entities` (the first names).
   */
  readonly digest?: {
    readonly users: number;
    readonly entities: readonly string[];
    /** When this digest began (its first detection): the firings of one digest fold into one alert. */
    readonly since: number;
  };
}

export interface Rule extends RuleHeader {
  evaluate(event: DetectEvent, ctx: RuleContext): Firing | null;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The fields an alert shows unless its rule names others (every auth rule's). */
export const DEFAULT_FIELDS: readonly TriageField[] = Object.freeze([
  'user',
  'ip',
  'location',
  'application',
  'factor',
  'reason',
] as const);

/**
 * Declares a rule: the header's defaults are filled so every rule reads the same way, and every rule object is
 * built with the same fields in the same order. Spread from each rule's own literal, the objects had one shape
 * per combination of the optional fields, and the engine's reads of `evaluate` and `results` saw all of them.
 */
export function defineRule(
  rule: Omit<Rule, 'windowMs' | 'threshold' | 'params' | 'fields'> &
    Partial<Pick<Rule, 'windowMs' | 'threshold' | 'params' | 'fields'>>,
): Rule {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    mitre: rule.mitre,
    entity: rule.entity,
    streams: rule.streams,
    results: rule.results,
    windowMs: rule.windowMs ?? null,
    threshold: rule.threshold ?? null,
    suppressionMs: rule.suppressionMs,
    fields: rule.fields ?? DEFAULT_FIELDS,
    params: rule.params ?? {},
    logic: rule.logic,
    evaluate: rule.evaluate,
  };
}
