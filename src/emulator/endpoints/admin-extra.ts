/**
 * Admin API endpoints the official clients call that the core set lacked: the legacy v1 authentication log
 * (the Python client's default `api_version`), the endpoint inventory and the telephony-credits report
 * (docs/emulator.md, "Endpoints, grants and rate classes"; what is inferred is marked there).
 */
import { createRng, duoId } from '../world/prng.js';
import type { AuthLogEvent, Tenant, WireUser } from '../world/index.js';
import { DuoApiError } from '../wire/duo-errors.js';
import type { Params } from '../wire/params.js';
import type { EndpointDef } from './endpoint.js';
import { secondsParam } from './admin-resources.js';
import { pageV1, RETENTION_MS } from './paging.js';

const V1_MAX_ROWS = 1000;
const DAY_S = 86_400;

/**
 * A v1 authentication row (the Python client's docstring: timestamp in seconds, username, factor, result,
 * ip, new_enrollment, integration, location; Duo's v1 docs add reason, txid, device, eventtype) from the
 * same event the v2 log serves, so both versions describe one log.
 */
export function authRowV1(e: AuthLogEvent): Record<string, unknown> {
  return {
    device: e.auth_device.name,
    eventtype: 'authentication',
    factor: e.factor,
    integration: e.application.name,
    ip: e.access_device.ip,
    isotimestamp: new Date(e.timestamp * 1000).toISOString().replace('.000Z', '+00:00'),
    location: {
      city: e.access_device.location.city,
      country: e.access_device.location.country,
      state: e.access_device.location.state,
    },
    new_enrollment: e.event_type === 'enrollment',
    reason: e.reason,
    result: e.result,
    timestamp: e.timestamp,
    txid: e.txid,
    username: e.user.name,
  };
}

/** v1 `mintime` in seconds; default and floor the 180-day retention (as the other v1 logs). */
function v1Mintime(params: Params, now: number): number {
  const floor = Math.floor((now - RETENTION_MS) / 1000);
  return Math.max(floor, secondsParam(params, 'mintime') ?? floor);
}

const OS = [
  ['Windows', ['10', '11']],
  ['Mac OS X', ['13.6', '14.4', '15.1']],
  ['iOS', ['17.5', '18.1']],
  ['Android', ['14', '15']],
  ['Linux', ['']],
] as const;
const BROWSERS = [
  ['Chrome', ['130.0.6723.70', '131.0.6778.86']],
  ['Edge Chromium', ['130.0.2849.80']],
  ['Firefox', ['132.0', '133.0']],
  ['Safari', ['17.6', '18.1']],
] as const;

/**
 * The endpoint inventory: one device per user who has logged in, with a stable `epkey` and OS/browser drawn
 * from the tenant's seed [inferred: a tenant's real inventory depends on Duo Desktop and browser telemetry].
 */
export function endpointsOf(tenant: Tenant): Record<string, unknown>[] {
  return tenant
    .users()
    .filter((u: WireUser) => u.last_login !== null)
    .map((u) => {
      const r = createRng(tenant.seed, 'endpoint', u.user_id);
      const [family, versions] = r.pick(OS);
      const [browser, bversions] = r.pick(BROWSERS);
      const mobile = family === 'iOS' || family === 'Android';
      return {
        browsers: [
          {
            browser_family: browser,
            browser_version: r.pick(bversions),
            flash_version: 'uninstalled',
            java_version: 'uninstalled',
          },
        ],
        email: u.email,
        epkey: duoId('EP', tenant.seed, 'endpoint', u.user_id),
        last_updated: u.last_login,
        model: mobile ? (family === 'iOS' ? 'iPhone' : 'Pixel 8') : 'Unknown',
        os_family: family,
        os_version: r.pick(versions),
        type: mobile ? 'Mobile' : 'Desktop',
        username: u.username,
      };
    });
}

/** Credits of every telephony event (calls and SMS) in [lo, hi] ms, summed from the tenant's telephony log. */
export function creditsUsed(tenant: Tenant, lo: number, hi: number): number {
  let sum = 0;
  let after: string | undefined;
  for (let i = 0; i < 100_000; i++) {
    const page = tenant.telephonyLog({
      mintime: lo,
      maxtime: hi,
      limit: 1000,
      sort: 'ts:asc',
      ...(after === undefined ? {} : { after }),
    });
    for (const item of page.items) sum += item.credits;
    if (page.next === null) return sum;
    after = page.next;
  }
  return sum;
}

export const adminExtraEndpoints: EndpointDef[] = [
  {
    method: 'GET',
    path: '/admin/v1/logs/authentication',
    api: 'admin',
    grant: 'read_log',
    rate: 'logs',
    handler: ({ tenant, params, now }) => {
      const mintimeS = v1Mintime(params, now);
      // Rows with timestamp >= mintime, oldest first, at most 1000 (as the other v1 logs); the v2 query
      // serves the same events.
      const page = tenant.authLog({
        mintime: mintimeS * 1000,
        maxtime: now,
        limit: V1_MAX_ROWS,
        sort: 'ts:asc',
      });
      return { response: page.events.map(authRowV1) };
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/endpoints',
    api: 'admin',
    grant: 'read_resource',
    rate: 'page',
    // 500 per page [inferred, as the other inventory listings].
    handler: ({ tenant, params }) => pageV1(endpointsOf(tenant), params, 500),
  },
  {
    method: 'GET',
    path: '/admin/v1/endpoints/:epkey',
    api: 'admin',
    grant: 'read_resource',
    rate: 'get_one',
    handler: ({ tenant, path }) => {
      const one = endpointsOf(tenant).find((e) => e['epkey'] === path['epkey']);
      if (one === undefined) throw new DuoApiError(40401);
      return { response: one };
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/info/telephony_credits_used',
    api: 'admin',
    grant: 'read_information',
    rate: 'get_one',
    handler: ({ tenant, params, now }) => {
      // Seconds, like the other info reports; default the last 30 days.
      const maxtime = secondsParam(params, 'maxtime') ?? Math.floor(now / 1000);
      const mintime = secondsParam(params, 'mintime') ?? maxtime - 30 * DAY_S;
      if (maxtime <= mintime) throw new DuoApiError(40002, 'Invalid maxtime');
      return {
        response: {
          maxtime,
          mintime,
          telephony_credits_used: creditsUsed(tenant, mintime * 1000, maxtime * 1000 + 999),
        },
      };
    },
  },
];
