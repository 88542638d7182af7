import type { AuthLogCursor } from '../world/index.js';
import { DuoApiError } from '../wire/duo-errors.js';
import type { Params } from '../wire/params.js';
import type { EndpointDef } from './endpoint.js';
import { secondsParam } from './admin-resources.js';
import { logLimit, logWindow, RETENTION_MS, sortParam } from './paging.js';

/** Auth-log v2 filters, sent as repeated params (`users=DU1&users=DU2`) (docs/duo-wire.md §4). */
const AUTH_FILTERS = [
  'users',
  'groups',
  'applications',
  'results',
  'reasons',
  'factors',
  'event_types',
  'assessment',
  'detections',
] as const;

/**
 * The auth-log cursor comes back either as one value `next_offset=1532951895000,af0b…` or as two repeated
 * values (the Python client sends the list it received) — accept both (docs/duo-wire.md §4).
 */
export function parseAuthCursor(params: Params): AuthLogCursor | undefined {
  const values = params.list('next_offset');
  if (values.length === 0) return undefined;
  let ts: string | undefined;
  let txid: string | undefined;
  if (values.length === 1) {
    const v = values[0] ?? '';
    const comma = v.indexOf(',');
    if (comma < 0) throw new DuoApiError(40002, 'Invalid next_offset');
    ts = v.slice(0, comma);
    txid = v.slice(comma + 1);
  } else if (values.length === 2) {
    [ts, txid] = values;
    // Positional on the wire, but a client that sends its query in canonical (sorted) order may put a txid
    // starting with "0" first; the all-digit value is the timestamp.
    if (ts !== undefined && txid !== undefined && !/^\d+$/.test(ts) && /^\d+$/.test(txid))
      [ts, txid] = [txid, ts];
  } else {
    throw new DuoApiError(40002, 'Invalid next_offset');
  }
  if (ts === undefined || txid === undefined || !/^\d+$/.test(ts))
    throw new DuoApiError(40002, 'Invalid next_offset');
  return { ts: Number(ts), txid };
}

function itemCursor(params: Params): string | undefined {
  const v = params.get('next_offset');
  return v === undefined || v === '' ? undefined : v;
}

/** v1 logs take `mintime` in seconds; default (and floor) is the 180-day retention. */
function v1Mintime(params: Params, now: number): number {
  const floor = Math.floor((now - RETENTION_MS) / 1000);
  return Math.max(floor, secondsParam(params, 'mintime') ?? floor);
}

const V1_MAX_ROWS = 1000;

export const adminLogEndpoints: EndpointDef[] = [
  {
    method: 'GET',
    path: '/admin/v2/logs/authentication',
    api: 'admin',
    grant: 'read_log',
    rate: 'logs',
    handler: ({ tenant, params, now }) => {
      const { mintime, maxtime } = logWindow(params, now);
      const filters: Record<string, string[]> = {};
      for (const f of AUTH_FILTERS) {
        const values = params.list(f);
        if (values.length > 0) filters[f] = values;
      }
      const after = parseAuthCursor(params);
      const page = tenant.authLog({
        mintime,
        maxtime,
        limit: logLimit(params, 1000, 100),
        sort: sortParam(params),
        ...(after === undefined ? {} : { after }),
        ...(Object.keys(filters).length === 0 ? {} : { filters }),
      });
      return {
        response: {
          authlogs: page.events,
          metadata: {
            // Duo sends the cursor as two strings: ["<ts ms>", "<txid>"], or null on the last page.
            next_offset: page.next === null ? null : [String(page.next.ts), page.next.txid],
            total_objects: page.total,
          },
        },
      };
    },
  },
  ...(['telephony', 'activity'] as const).map((kind): EndpointDef => ({
    method: 'GET',
    path: `/admin/v2/logs/${kind}`,
    api: 'admin',
    grant: 'read_log',
    rate: 'logs',
    handler: ({ tenant, params, now }) => {
      const { mintime, maxtime } = logWindow(params, now);
      const after = itemCursor(params);
      const q = {
        mintime,
        maxtime,
        limit: logLimit(params, 1000, 100),
        sort: sortParam(params),
        ...(after === undefined ? {} : { after }),
      };
      const page = kind === 'telephony' ? tenant.telephonyLog(q) : tenant.activityLog(q);
      // next_offset is a single "<ts ms>,<id>" string, absent on the last page (docs/duo-wire.md §4).
      const metadata: Record<string, unknown> = { total_objects: page.total };
      if (page.next !== null) metadata['next_offset'] = page.next;
      return { response: { items: page.items, metadata } };
    },
  })),
  {
    method: 'GET',
    path: '/admin/v1/trust_monitor/events',
    api: 'admin',
    grant: 'read_log',
    rate: 'logs',
    handler: ({ tenant, params, now }) => {
      const { mintime, maxtime } = logWindow(params, now);
      const offsetText = params.get('offset') ?? itemCursor(params);
      if (offsetText !== undefined && offsetText !== '' && !/^\d+$/.test(offsetText))
        throw new DuoApiError(40002, 'Invalid offset');
      const type = params.get('type');
      const page = tenant.trustMonitor({
        mintime,
        maxtime,
        // 200 is the documented maximum (docs/duo-wire.md §4); default 50.
        limit: logLimit(params, 200, 50),
        ...(offsetText === undefined || offsetText === '' ? {} : { offset: Number(offsetText) }),
        ...(type === undefined || type === '' ? {} : { type }),
      });
      const metadata: Record<string, unknown> = {};
      if (page.next !== null) metadata['next_offset'] = page.next;
      return { response: { events: page.events, metadata } };
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/logs/administrator',
    api: 'admin',
    grant: 'read_log',
    rate: 'logs',
    handler: ({ tenant, params, now }) => ({
      response: tenant.adminLog(v1Mintime(params, now), V1_MAX_ROWS, Math.floor(now / 1000)),
    }),
  },
  {
    method: 'GET',
    path: '/admin/v1/logs/telephony',
    api: 'admin',
    grant: 'read_log',
    rate: 'logs',
    handler: ({ tenant, params, now }) => ({
      response: tenant.telephonyLogV1(v1Mintime(params, now), V1_MAX_ROWS, Math.floor(now / 1000)),
    }),
  },
  {
    method: 'GET',
    path: '/admin/v1/logs/offline_enrollment',
    api: 'admin',
    grant: 'read_log',
    rate: 'logs',
    handler: ({ tenant, params, now }) => ({
      response: tenant.offlineEnrollmentLog(v1Mintime(params, now), V1_MAX_ROWS, Math.floor(now / 1000)),
    }),
  },
];
