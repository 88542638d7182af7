/** Window queries over the tenant's log streams, in the shapes the contract promises the wire side. */
import type { TenantCore } from './core.js';
import type { LogStream, StreamKey } from './log-stream.js';
import type { AuthLogPage, AuthLogQuery, ItemLogPage, ItemLogQuery, TrustMonitorQuery } from './types.js';
import type { AuthLogEvent, OfflineEnrollmentRow, TelephonyRowV1, TrustMonitorEvent } from './wire-types.js';

/** "<ts ms>,<id>" (docs/duo-wire.md §4, telephony/activity `next_offset`). */
export function formatOffset(k: StreamKey): string {
  return `${k.ts},${k.id}`;
}
export function parseOffset(text: string): StreamKey | undefined {
  const comma = text.indexOf(',');
  if (comma <= 0) return undefined;
  const ts = Number(text.slice(0, comma));
  if (!Number.isSafeInteger(ts)) return undefined;
  return { ts, id: text.slice(comma + 1) };
}

type AuthPred = (e: AuthLogEvent) => boolean;

export function authFilter(core: TenantCore, filters: AuthLogQuery['filters']): AuthPred | undefined {
  if (filters === undefined) return undefined;
  const tests: AuthPred[] = [];
  const set = (k: string): Set<string> | undefined => {
    const v = filters[k];
    return v === undefined || v.length === 0 ? undefined : new Set(v);
  };
  const users = set('users');
  if (users) tests.push((e) => users.has(e.user.key));
  const groups = set('groups');
  if (groups) {
    // The filter names group ids (DG…); events carry group names.
    const names = new Set(core.state.groups.filter((g) => groups.has(g.group_id)).map((g) => g.name));
    tests.push((e) => e.user.groups.some((g) => names.has(g)));
  }
  const apps = set('applications');
  if (apps) tests.push((e) => apps.has(e.application.key));
  const results = set('results');
  if (results) tests.push((e) => results.has(e.result));
  const reasons = set('reasons');
  if (reasons) tests.push((e) => e.reason !== null && reasons.has(e.reason));
  const factors = set('factors');
  if (factors) tests.push((e) => e.factor !== null && factors.has(e.factor));
  const types = set('event_types');
  if (types) tests.push((e) => types.has(e.event_type));
  // The emulated tenant has no risk-based assessments or detections (ASSUMPTIONS A9): these filters match none.
  if (set('assessment') || set('detections')) tests.push(() => false);
  if (tests.length === 0) return undefined;
  return (e) => tests.every((t) => t(e));
}

export interface Window {
  lo: number;
  hi: number;
}

/** Events exist from the start of generated history up to the emulator's now; nothing from the future. */
export function clampWindow(core: TenantCore, startMs: number, mintime: number, maxtime: number): Window {
  return { lo: Math.max(mintime, startMs), hi: Math.min(maxtime, core.clock.now()) };
}

export function createCountCache(): (key: string, compute: () => number) => number {
  const cache = new Map<string, number>();
  return (key, compute) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const v = compute();
    if (cache.size >= 64) cache.delete(cache.keys().next().value as string);
    cache.set(key, v);
    return v;
  };
}

export function queryAuthLog(
  core: TenantCore,
  startMs: number,
  q: AuthLogQuery,
  cached: (key: string, compute: () => number) => number,
): AuthLogPage {
  const { lo, hi } = clampWindow(core, startMs, q.mintime, q.maxtime);
  const pred = authFilter(core, q.filters);
  const stream = core.streams.auth;
  const desc = q.sort === 'ts:desc';
  const after = q.after === undefined ? undefined : { ts: q.after.ts, id: q.after.txid };
  // With a cursor, Duo does not re-apply `mintime` (duo_log_sync relies on it): ascending pages continue
  // from the cursor whatever `mintime` came with it.
  const from = after !== undefined && !desc ? startMs : lo;
  // A `users` filter is checked on each generated event's facet (its user key) before the event is built.
  const users = q.filters?.['users'];
  const wanted = users !== undefined && users.length > 0 ? new Set(users) : undefined;
  const facetOk = wanted === undefined ? undefined : (key: string) => wanted.has(key);
  const { items, more } = stream.page(from, hi, q.limit, desc, after, pred, facetOk);
  const total =
    pred === undefined
      ? stream.count(lo, hi)
      : cached(JSON.stringify([q.filters, lo, hi, stream.injectedCount()]), () =>
          stream.count(lo, hi, pred, facetOk),
        );
  const last = items[items.length - 1];
  return {
    events: items.map((e) => e.value()),
    total,
    next: more && last !== undefined ? { ts: last.ts, txid: last.id } : null,
  };
}

export function queryItems<T>(
  core: TenantCore,
  stream: LogStream<T>,
  startMs: number,
  q: ItemLogQuery,
): ItemLogPage<T> {
  const { lo, hi } = clampWindow(core, startMs, q.mintime, q.maxtime);
  const after = q.after === undefined ? undefined : parseOffset(q.after);
  const desc = q.sort === 'ts:desc';
  // As for the auth log: a cursor is not bounded by `mintime` again.
  const from = after !== undefined && !desc ? startMs : lo;
  const { items, more } = stream.page(from, hi, q.limit, desc, after);
  const last = items[items.length - 1];
  return {
    items: items.map((e) => e.value()),
    total: stream.count(lo, hi),
    next: more && last !== undefined ? formatOffset(last) : null,
  };
}

/**
 * Trust Monitor pages by an integer offset into the window (what Duo returns and duo_log_sync passes through
 * `int()`), with the `type` filter applied first. Trust Monitor events are sparse, so the window is read whole.
 */
export function queryTrustMonitor(
  core: TenantCore,
  startMs: number,
  q: TrustMonitorQuery,
): { events: TrustMonitorEvent[]; next: number | null } {
  const { lo, hi } = clampWindow(core, startMs, q.mintime, q.maxtime);
  const stream = core.streams.trust;
  const all = stream
    .page(lo, hi, Math.max(1, stream.count(lo, hi)), false)
    .items.map((e) => e.value())
    .filter((e) => q.type === undefined || e.type === q.type);
  const offset = q.offset ?? 0;
  const events = all.slice(offset, offset + q.limit);
  return { events, next: offset + q.limit < all.length ? offset + q.limit : null };
}

/** v1 logs: rows with timestamp >= mintimeS (seconds), ascending, at most min(limit, 1000). */
export function queryV1<T>(
  core: TenantCore,
  stream: LogStream<T>,
  startMs: number,
  mintimeS: number,
  limit: number,
  nowS: number,
): T[] {
  const { lo, hi } = clampWindow(core, startMs, mintimeS * 1000, nowS * 1000 + 999);
  return stream.page(lo, hi, Math.min(Math.max(limit, 0), 1000), false).items.map((e) => e.value());
}

export function telephonyV1(
  core: TenantCore,
  startMs: number,
  mintimeS: number,
  limit: number,
  nowS: number,
): TelephonyRowV1[] {
  return queryV1(core, core.streams.telephony, startMs, mintimeS, limit, nowS).map((t) => {
    const ms = Date.parse(t.ts);
    return {
      context: t.context,
      credits: t.credits,
      isotimestamp: new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00'),
      phone: t.phone,
      timestamp: Math.floor(ms / 1000),
      type: t.type,
    };
  });
}

export function offlineV1(
  core: TenantCore,
  startMs: number,
  mintimeS: number,
  limit: number,
  nowS: number,
): OfflineEnrollmentRow[] {
  return queryV1(core, core.streams.offline, startMs, mintimeS, limit, nowS);
}

/** /admin/v1/info/authentication_attempts counts (docs/duo-wire.md §5): denied counts as FAILURE. */
export function authenticationAttempts(
  core: TenantCore,
  startMs: number,
  minS: number,
  maxS: number,
): Record<string, number> {
  const { lo, hi } = clampWindow(core, startMs, minS * 1000, maxS * 1000 + 999);
  const counts: Record<string, number> = { ERROR: 0, FAILURE: 0, FRAUD: 0, SUCCESS: 0 };
  const key = (r: AuthLogEvent['result']): string =>
    r === 'success' ? 'SUCCESS' : r === 'fraud' ? 'FRAUD' : r === 'error' ? 'ERROR' : 'FAILURE';
  core.streams.auth.count(lo, hi, (e) => {
    const k = key(e.result);
    counts[k] = (counts[k] ?? 0) + 1;
    return true;
  });
  return counts;
}
