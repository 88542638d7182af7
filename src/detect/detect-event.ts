import type { CollectedEvent, LogStream } from '../app/index.js';

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

export function toDetectEvent(e: CollectedEvent): DetectEvent {
  const raw = e.raw;
  let user: string | null = null;
  let userKey: string | null = null;
  let result: string | null = null;
  let ip: string | null = null;
  let loc: Record<string, unknown> | null = null;
  let application: string | null = null;
  let action: string | null = null;
  let actorType: string | null = null;
  if (e.stream === 'auth') {
    const u = rec(raw['user']);
    user = str(u?.['name']);
    userKey = str(u?.['key']) ?? user;
    result = lower(raw['result']);
    const device = rec(raw['access_device']);
    ip = str(device?.['ip']);
    loc = rec(device?.['location']);
    application = str(rec(raw['application'])?.['name']);
  } else if (e.stream === 'admin') {
    user = str(raw['username']);
    userKey = user;
    action = lower(raw['action']);
  } else if (e.stream === 'activity') {
    const actor = rec(raw['actor']);
    user = str(actor?.['name']);
    userKey = str(actor?.['key']) ?? user;
    // Duo's docs show `action` as a string; its logs as {"name", "details"} (docs/emulator.md): read both.
    action = lower(rec(raw['action'])?.['name'] ?? raw['action']);
    actorType = lower(actor?.['type']);
    result = lower(rec(raw['outcome'])?.['result']);
    const device = rec(raw['access_device']);
    ip = str(rec(device?.['ip'])?.['address']);
    loc = rec(device?.['location']);
  } else if (e.stream === 'offline_enrollment') {
    user = str(raw['username']);
    userKey = user;
    action = lower(raw['action']);
  } else if (e.stream === 'trust_monitor') {
    const surfaced = rec(raw['surfaced_auth']);
    const u = rec(surfaced?.['user']);
    user = str(u?.['name']);
    userKey = str(u?.['key']) ?? user;
    ip = str(rec(surfaced?.['access_device'])?.['ip']);
  }
  const credits = raw['credits'];
  return {
    id: e.id,
    stream: e.stream,
    orgId: e.orgId,
    orgSlug: e.orgSlug,
    ts: e.ts,
    raw,
    user,
    userKey,
    result,
    reason: lower(raw['reason']),
    factor: lower(raw['factor']),
    ip,
    country: str(loc?.['country']),
    city: str(loc?.['city']),
    region: str(loc?.['state']),
    application,
    action,
    actorType,
    object: str(raw['object']),
    description: raw['description'],
    phone: e.stream === 'telephony' ? str(raw['phone']) : null,
    credits: typeof credits === 'number' && Number.isFinite(credits) ? credits : 0,
  };
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
