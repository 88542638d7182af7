import { createHash } from 'node:crypto';
import { DuowatchError } from '../../shared/index.js';
import type {
  AdminGrants,
  AppKind,
  DeviceOs,
  EmulatorApplication,
  EmulatorClock,
  ScenarioResult,
  ScenarioSpec,
  Tenant,
  TenantFixture,
  UserBehaviour,
} from '../world/index.js';
import { createTenant } from '../world/index.js';
import type { ActiveFault, FaultPlan, FaultSpec } from '../faults/index.js';
import type { RateLimiter, RateLimitOptions } from '../limits/index.js';
import type { RequestLog, RequestLogEntry } from '../app/request-log.js';
import type { TenantRegistry } from '../app/tenant-registry.js';

export class EmulatorControlError extends DuowatchError {
  constructor(message: string, status = 400) {
    super('emulator_control', message, { status, exitCode: 2 });
  }
}

export interface AppCredentials {
  ikey: string;
  skey: string;
  name: string;
}

/** What `credentials()` and the CLI's ready line give per tenant. */
export interface TenantCredentials {
  hostname: string;
  name: string;
  accountId: string;
  parent: string | null;
  admin: AppCredentials & { grants: AdminGrants };
  auth: AppCredentials;
  device: AppCredentials & { mkey: string };
  accounts: AppCredentials;
}

export interface NewTenantOptions {
  hostname?: string;
  seed?: string;
  users?: number;
  name?: string;
  fixture?: TenantFixture;
  /** Hostname of the Accounts API parent (this tenant becomes its child account). */
  parent?: string;
}

/** The control surface, used in-process by tests and over HTTP by the control app. */
export interface EmulatorControl {
  createTenant(options?: NewTenantOptions): TenantCredentials;
  tenant(host: string): Tenant;
  credentials(): TenantCredentials[];
  addApplication(
    host: string,
    kind: AppKind,
    opts?: { name?: string; grants?: Partial<AdminGrants>; os?: DeviceOs },
  ): EmulatorApplication;
  setGrants(host: string, ikey: string, grants: Partial<AdminGrants>): void;
  rotateSecret(host: string, ikey: string): EmulatorApplication;
  inject(host: string, scenario: ScenarioSpec): ScenarioResult;
  setUserBehaviour(host: string, user: string, behaviour: UserBehaviour): void;
  /** A passcode the user's token or Duo Mobile would show now (to drive Auth API passcode tests). */
  passcode(host: string, user: string): string | undefined;
  /** The unused SMS passcodes of the last batch sent to the user (a test reads the "text message"). */
  smsPasscodes(host: string, user: string): string[];
  /** Creates a bypass code (logged as bypass_create) and returns its plaintext. */
  createBypassCode(host: string, user: string, opts?: { reuseCount?: number; validSecs?: number }): string;
  /**
   * Simulated logins: `count` Auth API authentications (async) by active users able to use `factor`, each
   * decided by the fault plan as a request to `/auth/v2/auth` on that host would be (a `telephony` fault
   * applies). Answers who was asked; the outcomes reach the auth log as the users answer or time out.
   */
  traffic(
    host: string,
    spec: { factor: 'push' | 'phone' | 'sms'; count: number },
  ): { started: number; users: string[] };
  addFault(spec: FaultSpec): ActiveFault;
  removeFault(id: string): boolean;
  clearFaults(): void;
  faults(): ActiveFault[];
  time(): { now: number; iso: string; offsetMs: number };
  setOffset(ms: number): void;
  advance(ms: number): void;
  requests(options?: { limit?: number; host?: string }): RequestLogEntry[];
  clearRequests(): void;
  configureRateLimits(options: RateLimitOptions): void;
  rateLimits(): ReturnType<RateLimiter['settings']>;
}

/** A Duo-shaped API hostname derived from the tenant seed: `api-xxxxxxxx.duosecurity.com`. */
export function hostnameFor(seed: string, index: number): string {
  return `api-${createHash('sha1')
    .update(`${seed}\u0000host\u0000${String(index)}`)
    .digest('hex')
    .slice(0, 8)}.duosecurity.com`;
}

const KINDS: readonly AppKind[] = ['admin', 'auth', 'device', 'accounts'];
/** Kinds a test may add; a Web SDK (OIDC) application is only made on request, so seeded worlds stay as they were. */
const ADDABLE: readonly AppKind[] = [...KINDS, 'websdk'];

function first(tenant: Tenant, kind: AppKind): EmulatorApplication {
  const app = tenant.applications().find((a) => a.kind === kind);
  if (app === undefined)
    throw new EmulatorControlError(`tenant ${tenant.hostname} has no ${kind} application`, 500);
  return app;
}

export function createEmulatorControl(deps: {
  registry: TenantRegistry;
  clock: EmulatorClock;
  faults: FaultPlan;
  limiter: RateLimiter;
  log: RequestLog;
  seed: string;
  defaultUsers: number;
}): EmulatorControl {
  const { registry, clock } = deps;
  const tenantOf = (host: string): Tenant => {
    const t = registry.byHost(host);
    if (t === undefined) throw new EmulatorControlError(`no tenant serves ${host}`, 404);
    return t;
  };
  const credentialsOf = (t: Tenant): TenantCredentials => {
    const admin = first(t, 'admin');
    const device = first(t, 'device');
    const pick = (a: EmulatorApplication): AppCredentials => ({ ikey: a.ikey, skey: a.skey, name: a.name });
    return {
      hostname: t.hostname,
      name: t.name,
      accountId: t.accountId,
      parent: registry.parent(t.hostname)?.hostname ?? null,
      admin: { ...pick(admin), grants: { ...admin.grants } },
      auth: pick(first(t, 'auth')),
      device: { ...pick(device), mkey: device.mkey ?? '' },
      accounts: pick(first(t, 'accounts')),
    };
  };
  const control: EmulatorControl = {
    createTenant(options = {}) {
      const index = registry.all().length;
      const seed = options.seed ?? `${deps.seed}/${String(index)}`;
      const hostname = (options.hostname ?? hostnameFor(deps.seed, index)).toLowerCase();
      if (registry.byHost(hostname) !== undefined)
        throw new EmulatorControlError(`${hostname} already exists`, 409);
      if (options.parent !== undefined) tenantOf(options.parent);
      const tenant = createTenant(
        {
          hostname,
          seed,
          users: options.users ?? deps.defaultUsers,
          now: clock.now(),
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.fixture === undefined ? {} : { fixture: options.fixture }),
        },
        clock,
      );
      // Every tenant answers with one application of each type (the CLI prints them all).
      for (const kind of KINDS) {
        if (!tenant.applications().some((a) => a.kind === kind)) tenant.addApplication(kind);
      }
      registry.add(tenant, options.parent === undefined ? {} : { parent: options.parent });
      return credentialsOf(tenant);
    },
    tenant: tenantOf,
    credentials: () => registry.all().map(credentialsOf),
    addApplication: (host, kind, opts) => {
      if (!ADDABLE.includes(kind))
        throw new EmulatorControlError(`unknown application kind ${JSON.stringify(kind)}`);
      return tenantOf(host).addApplication(kind, opts);
    },
    setGrants: (host, ikey, grants) => tenantOf(host).setGrants(ikey, grants),
    rotateSecret: (host, ikey) => tenantOf(host).rotateSecret(ikey),
    inject: (host, scenario) => tenantOf(host).inject(scenario),
    setUserBehaviour: (host, user, behaviour) => tenantOf(host).setUserBehaviour(user, behaviour),
    passcode: (host, user) => tenantOf(host).validPasscode(user),
    smsPasscodes: (host, user) => tenantOf(host).smsPasscodes(user),
    createBypassCode: (host, user, opts) => tenantOf(host).createBypassCode(user, opts),
    traffic(host, spec) {
      const tenant = tenantOf(host);
      if (!['push', 'phone', 'sms'].includes(spec.factor))
        throw new EmulatorControlError('factor must be push, phone or sms');
      if (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > 1000)
        throw new EmulatorControlError('count must be an integer in 1..1000');
      const able = tenant
        .users()
        .filter((u) => u.status === 'active' && u.phones.some((p) => p.capabilities.includes(spec.factor)));
      if (able.length === 0)
        throw new EmulatorControlError(`no active user of ${host} can use ${spec.factor}`, 409);
      const users: string[] = [];
      for (let i = 0; i < spec.count; i++) {
        const user = able[i % able.length];
        if (user === undefined) break;
        const fired = deps.faults.decide({ method: 'POST', path: '/auth/v2/auth', host: tenant.hostname });
        const started = tenant.authAsync(
          { username: user.username, factor: spec.factor, device: 'auto' },
          { telephonyDown: fired.some((f) => f.kind === 'telephony') },
        );
        if ('error' in started) throw new EmulatorControlError(started.error.message, 409);
        users.push(user.username);
      }
      return { started: users.length, users };
    },
    addFault: (spec) => {
      try {
        return deps.faults.add(spec);
      } catch (err) {
        throw new EmulatorControlError(err instanceof Error ? err.message : String(err));
      }
    },
    removeFault: (id) => deps.faults.remove(id),
    clearFaults: () => deps.faults.clear(),
    faults: () => deps.faults.list(),
    time: () => ({ now: clock.now(), iso: new Date(clock.now()).toISOString(), offsetMs: clock.offset() }),
    setOffset: (ms) => clock.setOffset(ms),
    advance: (ms) => clock.advance(ms),
    requests: (options) => deps.log.list(options),
    clearRequests: () => deps.log.clear(),
    configureRateLimits: (options) => deps.limiter.configure(options),
    rateLimits: () => deps.limiter.settings(),
  };
  return control;
}
