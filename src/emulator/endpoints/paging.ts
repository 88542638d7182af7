import { DuoApiError } from '../wire/duo-errors.js';
import type { Params } from '../wire/params.js';
import type { EndpointResult } from './endpoint.js';

/** Endpoint maximum page sizes (docs/duo-wire.md §4). Admins, policies, integrations are unpublished: 500 [inferred]. */
export const MAX_LIMIT = {
  users: 300,
  groups: 500,
  phones: 500,
  tokens: 500,
  bypass_codes: 500,
  webauthn: 500,
  admins: 500,
  policies: 500,
  integrations: 500,
} as const;

export const DEFAULT_V1_LIMIT = 100;

function intParam(params: Params, key: string): number | undefined {
  const v = params.get(key);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new DuoApiError(40002, `Invalid ${key}`);
  return Number(v);
}

/**
 * v1 offset paging (docs/duo-wire.md §4): `limit` clamped to the endpoint maximum rather than rejected,
 * `metadata` beside `response` with `total_objects`, `prev_offset` and — except on the last page —
 * `next_offset`.
 */
export function pageV1<T>(items: readonly T[], params: Params, max: number): EndpointResult {
  const rawLimit = intParam(params, 'limit') ?? Math.min(DEFAULT_V1_LIMIT, max);
  const limit = Math.max(1, Math.min(rawLimit, max));
  const offset = Math.max(0, intParam(params, 'offset') ?? 0);
  const page = items.slice(offset, offset + limit);
  const metadata: Record<string, number> = {
    total_objects: items.length,
    prev_offset: Math.max(0, offset - limit),
  };
  if (offset + limit < items.length) metadata['next_offset'] = offset + limit;
  return { response: page, extra: { metadata } };
}

/** Clamps a v2 log `limit` (≤ 1000, default 100). */
export function logLimit(params: Params, max: number, def: number): number {
  const v = intParam(params, 'limit');
  return Math.max(1, Math.min(v ?? def, max));
}

export const DAY_MS = 86_400_000;
/** Events newer than two minutes are not yet visible to v2 log queries (docs/duo-wire.md §4). */
export const VISIBILITY_DELAY_MS = 120_000;
export const RETENTION_MS = 180 * DAY_MS;
/** Allowance for a client's own clock and transit when it asks for exactly 180 days [inferred]. */
export const RETENTION_SLACK_MS = 300_000;

/**
 * `mintime`/`maxtime` of the v2 logs: required, in milliseconds, `mintime` within the past 180 days, and
 * `maxtime` clamped to now − 2 min (docs/duo-wire.md §4). The 40002 details are Duo's exact texts.
 */
export function logWindow(params: Params, now: number): { mintime: number; maxtime: number } {
  const minText = params.get('mintime');
  const maxText = params.get('maxtime');
  if (minText === undefined || maxText === undefined || minText === '' || maxText === '')
    throw new DuoApiError(40001);
  const mintime = msParam(minText, 'mintime');
  const maxtime = msParam(maxText, 'maxtime');
  // The official clients default `mintime` to exactly 180 days before *their* now; it reaches us a moment
  // later, so a little slack keeps those defaults working, as they do against Duo.
  if (mintime < now - RETENTION_MS - RETENTION_SLACK_MS)
    throw new DuoApiError(40002, 'mintime must be within the past 180 days');
  if (maxtime <= mintime) throw new DuoApiError(40002, "'maxtime' must be strictly greater than 'mintime'");
  return { mintime, maxtime: Math.min(maxtime, now - VISIBILITY_DELAY_MS) };
}

function msParam(text: string, key: string): number {
  // A value in seconds (< 1e12, i.e. before 2001 in ms) is the classic mistake this detail answers.
  if (!/^\d+$/.test(text) || Number(text) < 1e12) {
    throw new DuoApiError(40002, `'${key}' must be a timestamp in milliseconds`);
  }
  return Number(text);
}

export function sortParam(params: Params): 'ts:asc' | 'ts:desc' {
  const s = params.get('sort') ?? 'ts:desc';
  if (s !== 'ts:asc' && s !== 'ts:desc') throw new DuoApiError(40002, 'Invalid sort');
  return s;
}
