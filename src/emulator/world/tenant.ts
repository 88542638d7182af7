/** createTenant: the emulated Duo tenant the wire side serves (see types.ts for the contract). */
import { createAuthEngine } from './auth-engine.js';
import { authStreamDef } from './auth-log-gen.js';
import { buildState } from './build-state.js';
import type { EmulatorClock } from './clock.js';
import { createCore } from './core.js';
import { createDeviceCacheStore } from './device-cache.js';
import { integrationOf, makeApplication, protectedIntegrations, rotatedSkey } from './directory-gen.js';
import { createLogStream } from './log-stream.js';
import {
  authenticationAttempts,
  createCountCache,
  offlineV1,
  queryAuthLog,
  queryItems,
  queryTrustMonitor,
  queryV1,
  telephonyV1,
} from './log-queries.js';
import { activityDef, adminLogDef, offlineDef, telephonyDef, trustMonitorDef } from './other-logs-gen.js';
import { duoId, createRng } from './prng.js';
import { createLastLoginIndex } from './last-login.js';
import { mint } from './state.js';
import { injectScenario } from './scenarios.js';
import type { DeviceCacheStore, EmulatorApplication, Tenant, TenantSpec } from './types.js';
import type { WireIntegration, WireUser, WireUserRef } from './wire-types.js';

/** Duo keeps 180 days of auth log (docs/duo-wire.md §4); generated history starts a day before that. */
export const HISTORY_MS = 181 * 86_400_000;

function userRef(u: WireUser): WireUserRef {
  return {
    created: u.created,
    email: u.email,
    last_login: u.last_login,
    realname: u.realname,
    status: u.status,
    user_id: u.user_id,
    username: u.username,
  };
}

export function createTenant(spec: TenantSpec, clock: EmulatorClock): Tenant {
  const seed = spec.fixture?.seed ?? spec.seed;
  const s = { ...spec, seed };
  const name =
    spec.name ??
    spec.fixture?.name ??
    `Emulated ${createRng(seed, 'name').pick(['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'])} Corp`;
  const accountId = spec.accountId ?? duoId('DA', seed, 'account');
  const state = buildState(s, name);
  const startMs = spec.now - HISTORY_MS;
  const protectedApps = protectedIntegrations(seed);
  // Assign the default per-application policies to the first protected applications.
  state.policies
    .filter((p) => !p.is_global_policy)
    .forEach((p, i) => {
      const app = protectedApps[i];
      if (app !== undefined) {
        state.policyApps.set(app.integration_key, p.policy_key);
        app.policy_key = p.policy_key;
      }
    });
  // Generated history reads a frozen snapshot of the roster: later changes never rewrite the past.
  const roster = JSON.parse(JSON.stringify(state.users)) as WireUser[];
  const homes = new Map(state.homes);
  const global = state.policies.find((p) => p.is_global_policy);
  const nub = global?.sections['new_user']?.['new_user_behavior'];
  const newUser = typeof nub === 'string' ? nub : 'enroll';
  const ctx = {
    seed,
    accountId,
    users: roster,
    homes,
    admins: [...state.admins],
    apps: protectedApps,
    hostname: spec.hostname,
  };
  const streams = {
    auth: createLogStream(
      seed,
      authStreamDef({
        seed,
        users: roster,
        homes,
        apps: protectedApps,
        newUserBehavior: newUser,
        authsPerUserPerDay: spec.fixture?.logs?.authsPerUserPerDay ?? spec.authsPerUserPerDay ?? 4,
      }),
      startMs,
    ),
    admin: createLogStream(seed, adminLogDef(ctx), startMs),
    telephony: createLogStream(seed, telephonyDef(ctx), startMs),
    activity: createLogStream(seed, activityDef(ctx), startMs),
    trust: createLogStream(seed, trustMonitorDef(ctx), startMs),
    offline: createLogStream(seed, offlineDef(ctx), startMs),
  };
  const core = createCore(state, clock, spec.hostname, accountId, streams, () => protectedApps);
  const engine = createAuthEngine(core);
  const cached = createCountCache();
  const lastLogins = createLastLoginIndex(streams.auth, () => state.users, startMs);
  const currentUsers = (): WireUser[] => {
    lastLogins.refresh(clock.now());
    return state.users;
  };
  const caches = new Map<string, DeviceCacheStore>();
  const skeyGen = new Map<string, number>();
  const findApp = (ikey: string): EmulatorApplication => {
    const app = state.apps.find((a) => a.ikey === ikey);
    if (app === undefined) throw new RangeError(`no application ${ikey}`);
    return app;
  };
  const userOf = (idOrName: string): WireUser => {
    const u = core.findUser(idOrName);
    if (u === undefined) throw new RangeError(`no user ${idOrName}`);
    return u;
  };
  const apiIntegrations = (): WireIntegration[] =>
    state.apps.filter((a) => a.kind !== 'device').map((a) => integrationOf(a, null));

  const tenant: Tenant = {
    hostname: spec.hostname,
    name,
    accountId,
    seed,
    applications: () => state.apps,
    application: (ikey) => state.apps.find((a) => a.ikey === ikey),
    addApplication(kind, opts = {}) {
      const app = makeApplication(seed, 10 + mint(state), kind, opts);
      state.apps.push(app);
      return app;
    },
    rotateSecret(ikey) {
      const app = findApp(ikey);
      const gen = (skeyGen.get(ikey) ?? 0) + 1;
      skeyGen.set(ikey, gen);
      app.skey = rotatedSkey(seed, ikey, gen);
      return app;
    },
    setGrants(ikey, grants) {
      const app = findApp(ikey);
      if (app.kind !== 'admin') throw new RangeError(`${ikey} is not an Admin API application`);
      app.grants = { ...app.grants, ...grants };
    },
    users: currentUsers,
    user: (id) => currentUsers().find((u) => u.user_id === id),
    userByName: (n) => currentUsers().find((u) => u.username === n),
    admins: () => state.admins,
    groups: () => state.groups,
    phones: () => currentUsers().flatMap((u) => u.phones.map((p) => ({ ...p, users: [userRef(u)] }))),
    tokens: () =>
      currentUsers().flatMap((u) => u.tokens.map((t) => ({ ...t, admins: [], users: [userRef(u)] }))),
    bypassCodes(userId) {
      const nowS = Math.floor(clock.now() / 1000);
      return state.bypass
        .filter(
          (b) =>
            (userId === undefined || b.wire.user.user_id === userId) &&
            (b.wire.expiration === null || b.wire.expiration > nowS),
        )
        .map((b) => b.wire);
    },
    integrations: () => [...protectedApps, ...apiIntegrations()],
    policies: () => state.policies,
    policy: (key) => state.policies.find((p) => p.policy_key === key),
    globalPolicy: () => state.policies.find((p) => p.is_global_policy) ?? (state.policies[0] as never),
    policySummary: () => ({
      global_policy_key: tenant.globalPolicy().policy_key,
      policies_count: state.policies.length,
      policy_applied_apps: [...state.policyApps].map(([integration_key, policy_key]) => ({
        integration_key,
        policy_key,
      })),
    }),
    settings: () => state.settings,
    infoSummary: () => ({
      admin_count: state.admins.length,
      integration_count: protectedApps.length + apiIntegrations().length,
      telephony_credits_remaining: state.telephonyCredits,
      user_count: state.users.length,
    }),
    authenticationAttempts: (minS, maxS) => authenticationAttempts(core, startMs, minS, maxS),
    authLog: (q) => queryAuthLog(core, startMs, q, cached),
    telephonyLog: (q) => queryItems(core, streams.telephony, startMs, q),
    activityLog: (q) => queryItems(core, streams.activity, startMs, q),
    trustMonitor: (q) => queryTrustMonitor(core, startMs, q),
    adminLog: (minS, limit, nowS) => queryV1(core, streams.admin, startMs, minS, limit, nowS),
    telephonyLogV1: (minS, limit, nowS) => telephonyV1(core, startMs, minS, limit, nowS),
    offlineEnrollmentLog: (minS, limit, nowS) => offlineV1(core, startMs, minS, limit, nowS),
    inject: (sc) => injectScenario(core, engine, sc),
    setUserBehaviour(idOrName, b) {
      state.behaviours.set(userOf(idOrName).user_id, b);
    },
    validPasscode: (idOrName) => engine.validPasscode(userOf(idOrName)),
    smsPasscodes: (idOrName) => engine.smsPasscodes(userOf(idOrName)),
    createBypassCode: (idOrName, opts) => engine.createBypassCode(userOf(idOrName), opts),
    preauth: (p) => engine.preauth(p),
    auth: (p, opts) => engine.auth(p, opts),
    authAsync: (p, opts) => engine.authAsync(p, opts),
    authStatus: (txid, opts) => engine.authStatus(txid, opts),
    enroll: (p) => engine.enroll(p),
    enrollStatus: (p) => engine.enrollStatus(p),
    deviceCaches(mkey) {
      let store = caches.get(mkey);
      if (store === undefined) {
        const app = state.apps.find((a) => a.kind === 'device' && a.mkey === mkey);
        if (app === undefined) return undefined;
        store = createDeviceCacheStore(seed, mkey, app.os ?? 'windows', () => Math.floor(clock.now() / 1000));
        caches.set(mkey, store);
      }
      return store;
    },
  };
  return tenant;
}
