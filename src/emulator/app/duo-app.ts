import { Hono, type Context } from 'hono';
import type { AdminGrants, EmulatorApplication, EmulatorClock, Tenant } from '../world/index.js';
import { ALL_ENDPOINTS, type EndpointDef, type EndpointResult } from '../endpoints/index.js';
import type { ActiveFault, FaultPlan } from '../faults/index.js';
import type { RateLimiter } from '../limits/index.js';
import { DuoApiError, WRONG_INTEGRATION_TYPE } from '../wire/duo-errors.js';
import { Params } from '../wire/params.js';
import { duoResponse } from '../wire/respond.js';
import { verifyRequest, type RawRequest } from '../wire/verify.js';
import { applyBodyFault, preHandlerFault, DroppedConnection } from './fault-effects.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import type { TenantRegistry } from './tenant-registry.js';
import { mountOidc } from '../oidc/oidc-routes.js';

export interface DuoAppDeps {
  registry: TenantRegistry;
  clock: EmulatorClock;
  limiter: RateLimiter;
  faults: FaultPlan;
  log: RequestLog;
  /** Real-time sleep for latency/hang faults (injected; default setTimeout). */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Real ms clock for request durations. */
  realNow: () => number;
  /**
   * The time request signatures are checked against (±300 s). Default: the emulated clock, as Duo does.
   * With emulated time moved far ahead (long backfills, multi-day scenarios), the wall clock lets clients
   * that sign with their own clock keep working (docs/emulator.md, "Emulated time").
   */
  signatureTime?: () => number;
}

const ALL_GRANTS: AdminGrants = {
  read_information: true,
  read_log: true,
  read_resource: true,
  administrators_read: true,
  settings_read: true,
};

/** The caller after verification: its application and whether it acts through the Accounts API. */
interface Caller {
  app: EmulatorApplication;
  viaAccounts: boolean;
}

function hostOf(c: Context): string {
  const raw = c.req.header('host') ?? new URL(c.req.url).host;
  // Duo signs the bare host: lower-case, no port (docs/duo-wire.md §1).
  return raw.toLowerCase().replace(/:\d+$/, '');
}

function rawPathAndQuery(url: string): { path: string; query: string } {
  // Take the path straight from the URL text (still percent-encoded, case kept) as the client sent it.
  const afterScheme = url.replace(/^[a-z]+:\/\/[^/]*/i, '');
  const hash = afterScheme.indexOf('#');
  const noHash = hash < 0 ? afterScheme : afterScheme.slice(0, hash);
  const q = noHash.indexOf('?');
  return q < 0
    ? { path: noHash || '/', query: '' }
    : { path: noHash.slice(0, q) || '/', query: noHash.slice(q + 1) };
}

/** The JSON body of a v4/v5 POST; `invalid` is only reported after the signature is checked. */
function parseJsonBody(c: Context, body: Uint8Array): { value: unknown; invalid: boolean } {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/json') || body.length === 0) return { value: undefined, invalid: false };
  try {
    return { value: JSON.parse(Buffer.from(body).toString('utf8')) as unknown, invalid: false };
  } catch {
    return { value: undefined, invalid: true };
  }
}

/** The hono app serving Duo's paths for every tenant, routed by the Host header. */
export function createDuoApp(deps: DuoAppDeps): Hono {
  const app = new Hono();

  const serve = async (c: Context, def: EndpointDef): Promise<Response> => {
    const started = deps.realNow();
    const host = hostOf(c);
    const { path, query } = rawPathAndQuery(c.req.url);
    const method = c.req.method.toUpperCase();
    const fired = deps.faults.decide({ method, path, host });
    let now = deps.clock.now();
    let signedNow = deps.signatureTime?.() ?? now;
    for (const f of fired)
      if (f.kind === 'clock_offset') {
        now += f.offsetMs ?? 600_000;
        signedNow += f.offsetMs ?? 600_000;
      }
    const entry: RequestLogEntry = {
      at: new Date(now).toISOString(),
      method,
      host,
      path,
      ikey: null,
      signature: null,
      outcome: 'ok',
      status: 200,
      faults: fired.map((f) => f.kind),
      durationMs: 0,
    };
    const finish = (res: Response): Response => {
      entry.status = res.status;
      entry.durationMs = deps.realNow() - started;
      deps.log.add(entry);
      return res;
    };
    try {
      const early = await preHandlerFault(fired, { c, now, sleep: deps.sleep, signal: c.req.raw.signal });
      if (early !== null) {
        entry.outcome = `fault:${early.kind}`;
        return finish(early.response);
      }
      const body = new Uint8Array(await c.req.arrayBuffer());
      const { value: json, invalid: invalidJson } = parseJsonBody(c, body);
      const tenant = deps.registry.byHost(host);
      // Set by the credential lookup inside verification.
      const found: { caller: Caller | null } = { caller: null };
      let pairs: Array<[string, string]> = [];
      if (def.api === null) {
        entry.signature = 'unsigned';
        entry.outcome = 'unsigned';
      } else {
        const raw: RawRequest = { method, host, path, query, headers: c.req.raw.headers, body };
        const rotated = fired.some((f) => f.kind === 'rotate_secret');
        const verified = verifyRequest(
          raw,
          (ikey, p) => {
            const caller = tenant === undefined ? null : findCaller(deps.registry, tenant, ikey, p, json);
            found.caller = caller;
            if (caller === null) return undefined;
            // A rotated secret: the client's skey is no longer the one the server holds.
            return rotated ? `${caller.app.skey}-rotated` : caller.app.skey;
          },
          signedNow,
        );
        if (verified.ikey !== undefined) entry.ikey = verified.ikey;
        if (!verified.ok) throw verified.error;
        entry.signature = verified.version;
        pairs = verified.pairs;
        if (found.caller === null) throw new DuoApiError(40102);
        authorize(def, found.caller, fired);
        const tenantKey = tenant?.hostname ?? host;
        // Log endpoints are limited each on its own (2/min per log type, docs/duo-wire.md §6).
        const scope = def.rate === 'logs' ? def.path : '';
        if (!deps.limiter.take({ tenant: tenantKey, ikey: verified.ikey, cls: def.rate, scope }, now)) {
          throw new DuoApiError(42901);
        }
      }
      if (invalidJson) throw new DuoApiError(40002, 'Invalid JSON body');
      const resolvedCaller = found.caller;
      const result: EndpointResult = await def.handler({
        tenant: tenant as Tenant,
        app: (resolvedCaller?.app ?? null) as EmulatorApplication,
        params: new Params(pairs).withJson(json),
        json,
        path: c.req.param(),
        method,
        now,
        signal: c.req.raw.signal,
        faults: fired.map((f) => f.kind),
        children: () => (tenant === undefined ? [] : deps.registry.children(tenant.hostname)),
      });
      const res =
        'raw' in result
          ? result.raw
          : duoResponse(
              { ...(result.extra ?? {}), stat: 'OK', response: result.response },
              { method, dateMs: now },
            );
      return finish(await applyBodyFault(fired, res));
    } catch (err) {
      if (err instanceof DroppedConnection) {
        entry.outcome = 'fault:drop';
        finish(new Response(null, { status: 499 }));
        throw err;
      }
      const duoErr = err instanceof DuoApiError ? err : new DuoApiError(50001);
      if (entry.outcome === 'ok' || entry.outcome === 'unsigned') entry.outcome = String(duoErr.duoCode);
      return finish(duoErr.toResponse({ dateMs: now }));
    }
  };

  // Universal Prompt (OIDC): JWT-authenticated, not HMAC-signed, so outside the signed endpoint table.
  mountOidc(app, { registry: deps.registry, clock: deps.clock, faults: deps.faults, sleep: deps.sleep });
  for (const def of ALL_ENDPOINTS) {
    app.on(def.method, def.path, (c) => serve(c, def));
  }
  app.notFound((c) => {
    // Unknown Duo paths answer 40401 like Duo; they are logged too.
    const now = deps.clock.now();
    deps.log.add({
      at: new Date(now).toISOString(),
      method: c.req.method,
      host: hostOf(c),
      path: rawPathAndQuery(c.req.url).path,
      ikey: null,
      signature: null,
      outcome: '40401',
      status: 404,
      faults: [],
      durationMs: 0,
    });
    return new DuoApiError(40401).toResponse({ dateMs: now });
  });
  app.onError((err) => {
    if (err instanceof DroppedConnection) throw err;
    return (err instanceof DuoApiError ? err : new DuoApiError(50001)).toResponse({
      dateMs: deps.clock.now(),
    });
  });
  return app;
}

/**
 * The application behind an ikey on this host: the tenant's own, or — for a child account — the parent's
 * Accounts API application when the request names the child with `account_id` (docs/duo-wire.md §5).
 */
function findCaller(
  registry: TenantRegistry,
  tenant: Tenant,
  ikey: string,
  pairs: ReadonlyArray<readonly [string, string]>,
  json: unknown,
): Caller | null {
  const own = tenant.application(ikey);
  if (own !== undefined) return { app: own, viaAccounts: false };
  const accountId =
    pairs.find(([k]) => k === 'account_id')?.[1] ??
    (typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['account_id'] : undefined);
  if (accountId !== tenant.accountId) return null;
  const parent = registry.parent(tenant.hostname);
  const app = parent?.application(ikey);
  if (app?.kind !== 'accounts') return null;
  return { app, viaAccounts: true };
}

/** Application type, then grant (docs/duo-wire.md §2.5); revoke_grant faults withdraw a grant for this request. */
function authorize(def: EndpointDef, caller: Caller, fired: readonly ActiveFault[]): void {
  const kind = caller.viaAccounts ? 'admin' : caller.app.kind;
  if (def.api !== kind) throw new DuoApiError(40301, WRONG_INTEGRATION_TYPE);
  if (def.grant === undefined) return;
  // Accounts API keys manage a child with full Admin API rights [assumption, docs/emulator.md].
  const grants = caller.viaAccounts ? ALL_GRANTS : caller.app.grants;
  const revoked = fired.some((f) => f.kind === 'revoke_grant' && (f.grant ?? 'read_log') === def.grant);
  if (!grants[def.grant] || revoked) throw new DuoApiError(40301);
}
