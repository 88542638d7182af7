import type { CollectedEvent, LogStream } from '../app/index.js';
import { LastAnswer } from './last-answer.js';

/**
 * One collected event flattened to the fields the rules read. Duo writes lowercase values in the auth log
 * (`fraud`) and uppercase in the activity log (`SUCCESS`), so every value a rule compares is lower-cased here,
 * once (docs/detect.md "Matching").
 */
export interface DetectEvent {
  readonly id: string;
  readonly stream: LogStream;
  readonly orgId: string;
  readonly orgSlug: string;
  readonly ts: number;
  readonly raw: Readonly<Record<string, unknown>>;
  /** Auth: `user.name`; admin: the acting administrator; telephony: null. */
  readonly user: string | null;
  /** Auth: `user.key` (falls back to the name); admin: the administrator's name. */
  readonly userKey: string | null;
  readonly result: string | null;
  readonly reason: string | null;
  readonly factor: string | null;
  readonly ip: string | null;
  readonly country: string | null;
  readonly city: string | null;
  readonly region: string | null;
  readonly application: string | null;
  /** Admin log `action`, the activity log's `action.name`, offline enrollment's `action` (lower-case). */
  readonly action: string | null;
  /** Activity log: who acted (`admin`, `user`, `api`, `system`); null elsewhere. */
  readonly actorType: string | null;
  readonly object: string | null;
  /** Admin log `description` as Duo wrote it (usually a JSON string; see `parseDescription`). */
  readonly description: unknown;
  /** Telephony. */
  readonly phone: string | null;
  readonly credits: number;
}

const rec = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const lower = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);

/**
 * `lower` keeping its last answer (one memo per field): a field's values repeat from event to event, and the
 * answer is then the same string as the last event's, so later comparisons with it (the engine's rule lists, the
 * allowed factors) match on identity. `toLowerCase` was 4 % of the engine's instructions.
 */
const lowerCase = (v: string): string => v.toLowerCase();
/**
 * The first string met of a value (kept while the value is one of the memo's last two), for the country:
 * consecutive logins mostly share it, and the organization's places look it up in a map. A new event's string
 * has no hash yet, so each lookup hashed it again (docs/detect.md "Throughput, eighth pass"); the kept one is
 * hashed once, and the map finds it by identity.
 */
const itself = (v: string): string => v;
const lowerVia = (memo: LastAnswer<string>, v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? memo.of(v) : null;

/** A user's key: Duo's `user.key`, or the name when the key is missing or empty. */
const userKeyOf = (u: Record<string, unknown> | null, name: string | null): string | null =>
  str(u?.['key']) ?? name;

/** The user an auth event is about, as `fill` reads it (the engine loads baselines by it before the event runs). */
export function authUserKey(raw: Readonly<Record<string, unknown>>): string | null {
  const u = rec(raw['user']);
  return userKeyOf(u, str(u?.['name']));
}

/**
 * The engine's one view of "the event being tested", refilled for every event rather than allocated per event
 * (at hundreds of thousands of events a second the allocation was a tenth of the time). Rules read it during
 * `evaluate` only and never keep it; what outlives the event (ids, times, addresses) is copied out.
 *
 * What only an alert's triage fields or a few rules read (application, city, region, object, description,
 * telephony's phone and credits) is read from the event when asked, not on every fill: the application is an
 * object of its own, one more cache line per event.
 */
export class EventView implements DetectEvent {
  id = '';
  stream: LogStream = 'auth';
  orgId = '';
  orgSlug = '';
  ts = 0;
  raw: Readonly<Record<string, unknown>> = {};
  user: string | null = null;
  userKey: string | null = null;
  result: string | null = null;
  reason: string | null = null;
  factor: string | null = null;
  ip: string | null = null;
  country: string | null = null;
  action: string | null = null;
  actorType: string | null = null;
  /** Duo's location object of the event (auth and activity), or null. */
  private loc: Record<string, unknown> | null = null;
  private readonly results = new LastAnswer(lowerCase);
  private readonly reasons = new LastAnswer(lowerCase);
  private readonly factors = new LastAnswer(lowerCase);
  private readonly actions = new LastAnswer(lowerCase);
  private readonly countries = new LastAnswer(itself);

  get city(): string | null {
    return str(this.loc?.['city']);
  }
  get region(): string | null {
    return str(this.loc?.['state']);
  }
  get application(): string | null {
    return this.stream === 'auth' ? str(rec(this.raw['application'])?.['name']) : null;
  }
  get object(): string | null {
    return str(this.raw['object']);
  }
  get description(): unknown {
    return this.raw['description'];
  }
  get phone(): string | null {
    return this.stream === 'telephony' ? str(this.raw['phone']) : null;
  }
  get credits(): number {
    const credits = this.raw['credits'];
    return typeof credits === 'number' && Number.isFinite(credits) ? credits : 0;
  }

  fill(e: CollectedEvent): this {
    const raw = e.raw;
    let user: string | null = null;
    let userKey: string | null = null;
    let result: string | null = null;
    let ip: string | null = null;
    let loc: Record<string, unknown> | null = null;
    let action: string | null = null;
    let actorType: string | null = null;
    if (e.stream === 'auth') {
      const u = rec(raw['user']);
      user = str(u?.['name']);
      userKey = userKeyOf(u, user);
      result = lowerVia(this.results, raw['result']);
      const device = rec(raw['access_device']);
      ip = str(device?.['ip']);
      loc = rec(device?.['location']);
    } else if (e.stream === 'admin') {
      user = str(raw['username']);
      userKey = user;
      action = lowerVia(this.actions, raw['action']);
    } else if (e.stream === 'activity') {
      const actor = rec(raw['actor']);
      user = str(actor?.['name']);
      userKey = str(actor?.['key']) ?? user;
      // Duo's docs show `action` as a string; its logs as {"name", "details"} (docs/emulator.md): read both.
      action = lowerVia(this.actions, rec(raw['action'])?.['name'] ?? raw['action']);
      actorType = lower(actor?.['type']);
      result = lowerVia(this.results, rec(raw['outcome'])?.['result']);
      const device = rec(raw['access_device']);
      ip = str(rec(device?.['ip'])?.['address']);
      loc = rec(device?.['location']);
    } else if (e.stream === 'offline_enrollment') {
      user = str(raw['username']);
      userKey = user;
      action = lowerVia(this.actions, raw['action']);
    } else if (e.stream === 'trust_monitor') {
      const surfaced = rec(raw['surfaced_auth']);
      const u = rec(surfaced?.['user']);
      user = str(u?.['name']);
      userKey = str(u?.['key']) ?? user;
      ip = str(rec(surfaced?.['access_device'])?.['ip']);
    }
    this.id = e.id;
    this.stream = e.stream;
    this.orgId = e.orgId;
    this.orgSlug = e.orgSlug;
    this.ts = e.ts;
    this.raw = raw;
    this.user = user;
    this.userKey = userKey;
    this.result = result;
    this.reason = lowerVia(this.reasons, raw['reason']);
    this.factor = lowerVia(this.factors, raw['factor']);
    this.ip = ip;
    this.loc = loc;
    const country = str(loc?.['country']);
    this.country = country === null ? null : this.countries.of(country);
    this.action = action;
    this.actorType = actorType;
    return this;
  }
}

/** A detached view of one event (tests and one-off callers; the engine refills one view). */
export function toDetectEvent(e: CollectedEvent): DetectEvent {
  return new EventView().fill(e);
}

/**
 * The admin log's `description` is usually a JSON string: a value starting with `{` is an object, one starting
 * with `[` a list, anything else text. Unparseable JSON stays text (Duo never promised it is valid).
 */
export function parseDescription(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  const t = value.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** A field of a parsed description, case-insensitively by key (Duo mixes `Status` and `status`). */
export function descriptionField(value: unknown, key: string): unknown {
  const parsed = parseDescription(value);
  const obj = rec(parsed);
  if (obj === null) return undefined;
  if (key in obj) return obj[key];
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}
