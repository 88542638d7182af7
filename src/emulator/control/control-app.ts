import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { DuowatchError } from '../../shared/index.js';
import type { AdminGrants, AppKind, ScenarioSpec, TenantFixture, UserBehaviour } from '../world/index.js';
import { parseTenantFixture } from '../world/index.js';
import { parseFaultShorthand, type FaultSpec } from '../faults/index.js';
import { EmulatorControlError, type EmulatorControl } from './emulator-control.js';

/** Base path of the control API: never a Duo path, so it cannot collide with one. */
export const CONTROL_BASE = '/_emulator';

function tokenOk(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (m === null) return false;
  const a = Buffer.from(m[1] ?? '', 'utf8');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

async function body<T>(c: Context): Promise<T> {
  const text = await c.req.text();
  if (text === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new EmulatorControlError('the body must be JSON');
  }
}

function num(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new EmulatorControlError(`${name} must be a number`);
  return v;
}

/**
 * The control API (JSON, bearer token): tenants and applications, credentials, scenarios, faults, time,
 * the request log and rate limits. docs/emulator.md lists every route.
 */
export function createControlApp(control: EmulatorControl, token: string): Hono {
  const app = new Hono().basePath(CONTROL_BASE);
  app.use('*', async (c, next) => {
    if (!tokenOk(c.req.header('authorization'), token)) return c.json({ error: 'unauthorized' }, 401);
    await next();
    return undefined;
  });
  app.onError((err, c) => {
    const status = err instanceof DuowatchError ? err.status : 500;
    return c.json({ error: err instanceof Error ? err.message : String(err) }, status as 400);
  });

  app.get('/credentials', (c) => c.json({ tenants: control.credentials() }));
  app.get('/tenants', (c) => c.json({ tenants: control.credentials() }));
  app.post('/tenants', async (c) => {
    const b = await body<{
      hostname?: string;
      seed?: string;
      users?: number;
      name?: string;
      parent?: string;
      fixture?: unknown;
      fixtureFormat?: 'yaml' | 'json';
    }>(c);
    let fixture: TenantFixture | undefined;
    if (typeof b.fixture === 'string') fixture = parseTenantFixture(b.fixture, b.fixtureFormat ?? 'yaml');
    else if (b.fixture !== undefined) fixture = parseTenantFixture(JSON.stringify(b.fixture), 'json');
    const created = control.createTenant({
      ...(b.hostname === undefined ? {} : { hostname: b.hostname }),
      ...(b.seed === undefined ? {} : { seed: b.seed }),
      ...(b.users === undefined ? {} : { users: num(b.users, 'users') }),
      ...(b.name === undefined ? {} : { name: b.name }),
      ...(b.parent === undefined ? {} : { parent: b.parent }),
      ...(fixture === undefined ? {} : { fixture }),
    });
    return c.json(created, 201);
  });
  app.post('/tenants/:host/applications', async (c) => {
    const b = await body<{
      kind: AppKind;
      name?: string;
      grants?: Partial<AdminGrants>;
      os?: 'windows' | 'macos' | 'linux';
    }>(c);
    const created = control.addApplication(c.req.param('host'), b.kind, {
      ...(b.name === undefined ? {} : { name: b.name }),
      ...(b.grants === undefined ? {} : { grants: b.grants }),
      ...(b.os === undefined ? {} : { os: b.os }),
    });
    return c.json(created, 201);
  });
  app.post('/tenants/:host/applications/:ikey/grants', async (c) => {
    control.setGrants(c.req.param('host'), c.req.param('ikey'), await body<Partial<AdminGrants>>(c));
    return c.json({ ok: true });
  });
  app.post('/tenants/:host/applications/:ikey/rotate', (c) =>
    c.json(control.rotateSecret(c.req.param('host'), c.req.param('ikey'))),
  );
  app.post('/tenants/:host/scenarios', async (c) =>
    c.json(control.inject(c.req.param('host'), await body<ScenarioSpec>(c)), 201),
  );
  app.post('/tenants/:host/traffic', async (c) => {
    const b = await body<{ factor?: unknown; count?: unknown }>(c);
    const factor = b.factor;
    if (factor !== 'push' && factor !== 'phone' && factor !== 'sms')
      throw new EmulatorControlError('factor must be push, phone or sms');
    return c.json(control.traffic(c.req.param('host'), { factor, count: num(b.count ?? 1, 'count') }), 201);
  });
  app.post('/tenants/:host/users/:user/behaviour', async (c) => {
    control.setUserBehaviour(c.req.param('host'), c.req.param('user'), await body<UserBehaviour>(c));
    return c.json({ ok: true });
  });

  app.get('/tenants/:host/users/:user/passcode', (c) => {
    const passcode = control.passcode(c.req.param('host'), c.req.param('user'));
    return passcode === undefined
      ? c.json({ error: 'the user has no passcode device' }, 404)
      : c.json({ passcode });
  });
  app.get('/tenants/:host/users/:user/sms', (c) =>
    c.json({ passcodes: control.smsPasscodes(c.req.param('host'), c.req.param('user')) }),
  );
  app.post('/tenants/:host/users/:user/bypass_codes', async (c) => {
    const b = await body<{ reuseCount?: number; validSecs?: number }>(c);
    const code = control.createBypassCode(c.req.param('host'), c.req.param('user'), {
      ...(b.reuseCount === undefined ? {} : { reuseCount: num(b.reuseCount, 'reuseCount') }),
      ...(b.validSecs === undefined ? {} : { validSecs: num(b.validSecs, 'validSecs') }),
    });
    return c.json({ bypass_code: code }, 201);
  });

  app.get('/faults', (c) => c.json({ faults: control.faults() }));
  app.post('/faults', async (c) => {
    const b = await body<FaultSpec & { fault?: string }>(c);
    let spec: FaultSpec;
    try {
      spec = b.fault !== undefined ? { ...parseFaultShorthand(b.fault), ...withoutFault(b) } : b;
    } catch (err) {
      throw new EmulatorControlError(err instanceof Error ? err.message : String(err));
    }
    return c.json(control.addFault(spec), 201);
  });
  app.delete('/faults/:id', (c) => c.json({ removed: control.removeFault(c.req.param('id')) }));
  app.delete('/faults', (c) => {
    control.clearFaults();
    return c.json({ ok: true });
  });

  app.get('/time', (c) => c.json(control.time()));
  app.post('/time', async (c) => {
    const b = await body<{ offsetMs?: number; advanceMs?: number }>(c);
    if (b.offsetMs !== undefined) control.setOffset(num(b.offsetMs, 'offsetMs'));
    if (b.advanceMs !== undefined) control.advance(num(b.advanceMs, 'advanceMs'));
    return c.json(control.time());
  });

  app.get('/requests', (c) => {
    const limit = c.req.query('limit');
    const host = c.req.query('host');
    return c.json({
      requests: control.requests({
        ...(limit === undefined ? {} : { limit: Number(limit) }),
        ...(host === undefined ? {} : { host }),
      }),
    });
  });
  app.delete('/requests', (c) => {
    control.clearRequests();
    return c.json({ ok: true });
  });

  app.get('/rate-limits', (c) => c.json(control.rateLimits()));
  app.post('/rate-limits', async (c) => {
    control.configureRateLimits(await body(c));
    return c.json(control.rateLimits());
  });
  app.notFound((c) => c.json({ error: 'no such control route' }, 404));
  return app;
}

function withoutFault(b: FaultSpec & { fault?: string }): Partial<FaultSpec> {
  const { fault: _fault, kind: _kind, ...rest } = b;
  return rest;
}
