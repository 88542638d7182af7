/** Builds a tenant's initial state from a seed and size, or from a fixture. */
import { generateAdmins, generateGroups, makeAdmin, makeApplication, makeGroup } from './directory-gen.js';
import type { FactorShorthand, TenantFixture } from './fixture-schema.js';
import { defaultAppPolicies, defaultSettings, makeAppPolicy, makeGlobalPolicy } from './policies.js';
import { createRng } from './prng.js';
import type { TenantState } from './state.js';
import type { TenantSpec } from './types.js';
import { buildUser, randomFactors, STATUS_MIX, type UserDraft } from './users-gen.js';
import type { UserStatus, WireGroup } from './wire-types.js';

const GENERATED_STATUS_ORDER: readonly (readonly [
  keyof NonNullable<TenantFixture['generate']>,
  UserStatus,
])[] = [
  ['active', 'active'],
  ['bypass', 'bypass'],
  ['disabled', 'disabled'],
  ['locked_out', 'locked out'],
  ['pending_deletion', 'pending deletion'],
];

function pickGroups(seed: string, i: number, groups: readonly WireGroup[]): WireGroup[] {
  if (groups.length === 0) return [];
  const r = createRng(seed, 'user-groups', i);
  const out = [groups[0] as WireGroup];
  const extra = groups[r.int(1, Math.max(1, groups.length - 1))];
  if (extra !== undefined && extra !== groups[0] && r.chance(0.6)) out.push(extra);
  return out;
}

function drafts(spec: TenantSpec, groups: readonly WireGroup[]): UserDraft[] {
  const f = spec.fixture;
  const seed = spec.seed;
  const out: UserDraft[] = [];
  if (f?.users !== undefined) {
    const byName = new Map(groups.map((g) => [g.name, g]));
    f.users.forEach((u, i) => {
      const d: UserDraft = {
        index: i,
        username: u.username,
        status: u.status,
        factors: u.factors ?? randomFactors(createRng(seed, 'factors', i)),
        groups: (u.groups ?? []).map((g) => byName.get(g)).filter((g): g is WireGroup => g !== undefined),
      };
      if (u.realname !== undefined) d.realname = u.realname;
      if (u.email !== undefined) d.email = u.email;
      if (u.user_id !== undefined) d.userId = u.user_id;
      if (u.last_login !== undefined) d.lastLogin = u.last_login;
      out.push(d);
    });
  }
  const g = f?.generate;
  if (g !== undefined) {
    // Exact counts: statuses in a fixed order; the first `enrolled` users get factors (push at least).
    let n = 0;
    const start = out.length;
    for (const [key, status] of GENERATED_STATUS_ORDER) {
      const count = g[key] ?? 0;
      for (let k = 0; k < count; k++, n++) {
        const i = start + n;
        const enrolled = g.enrolled === undefined || n < g.enrolled;
        let factors: FactorShorthand[] = [];
        if (enrolled) {
          factors = randomFactors(createRng(seed, 'factors', i));
          if (factors.length === 0) factors = ['push'];
        }
        out.push({ index: i, status, factors, groups: pickGroups(seed, i, groups) });
      }
    }
  }
  if (f?.users === undefined && g === undefined) {
    for (let i = 0; i < spec.users; i++) {
      const r = createRng(seed, 'status', i);
      out.push({
        index: i,
        status: r.weighted(STATUS_MIX),
        factors: randomFactors(createRng(seed, 'factors', i)),
        groups: pickGroups(seed, i, groups),
      });
    }
  }
  return out;
}

export function buildState(spec: TenantSpec, name: string): TenantState {
  const seed = spec.seed;
  const nowS = Math.floor(spec.now / 1000);
  const f = spec.fixture;
  const groups =
    f?.groups !== undefined
      ? f.groups.map((g) => makeGroup(seed, g.name, g.desc))
      : generateGroups(seed, f?.users?.length ?? spec.users);
  const state: TenantState = {
    seed,
    createdAt: spec.now,
    users: [],
    admins:
      f?.admins !== undefined
        ? f.admins.map((a, i) => makeAdmin(seed, nowS, i, a))
        : generateAdmins(seed, nowS, spec.users),
    groups,
    integrations: [],
    apps: [
      makeApplication(seed, 0, 'admin'),
      makeApplication(seed, 1, 'auth'),
      makeApplication(seed, 2, 'device'),
      makeApplication(seed, 3, 'accounts'),
    ],
    policies: [],
    policyApps: new Map(),
    settings: { ...defaultSettings(name), ...f?.settings, name },
    bypass: [],
    otp: new Map(),
    behaviours: new Map(),
    homes: new Map(),
    failures: new Map(),
    telephonyCredits: 1000 + createRng(seed, 'credits').int(0, 4000),
    serial: 0,
  };
  const taken = new Set<string>();
  for (const d of drafts(spec, groups)) {
    const g = buildUser(seed, nowS, d, taken);
    state.users.push(g.user);
    for (const [id, secret] of g.otp) state.otp.set(id, secret);
    state.homes.set(g.user.user_id, g.home);
  }
  f?.users?.forEach((u) => {
    if (u.behaviour === undefined) return;
    const user = state.users.find((x) => x.username === u.username);
    if (user !== undefined) state.behaviours.set(user.user_id, u.behaviour);
  });
  seedBypassCodes(state, nowS);
  const global = makeGlobalPolicy(seed, {
    authentication_policy: f?.policies?.global?.authentication_policy,
    new_user_behavior: f?.policies?.global?.new_user_behavior,
    sections: f?.policies?.global?.sections,
  });
  const appPolicies =
    f?.policies?.applications !== undefined
      ? f.policies.applications.map((p) => makeAppPolicy(seed, p))
      : f?.policies === undefined
        ? defaultAppPolicies(seed)
        : [];
  state.policies = [global, ...appPolicies];
  return state;
}

/**
 * A few users already hold bypass codes a help desk issued (about 2 % of active users, more for users in
 * bypass status), so the inventory is never empty. Their creation predates the log history we keep in memory.
 */
function seedBypassCodes(state: TenantState, nowS: number): void {
  for (const u of state.users) {
    const r = createRng(state.seed, 'seed-bypass', u.user_id);
    const p = u.status === 'bypass' ? 0.3 : u.status === 'active' ? 0.02 : 0;
    if (!r.chance(p)) continue;
    const created = nowS - r.int(600, 20 * 86_400);
    const reuse = r.pick([1, 1, 3, 5, 0]);
    const expiration = r.chance(0.2) ? null : created + r.pick([3600, 86_400, 7 * 86_400, 30 * 86_400]);
    if (expiration !== null && expiration <= nowS) continue;
    state.bypass.push({
      plaintext: r.chars(9, '0123456789'),
      remaining: reuse === 0 ? null : reuse,
      wire: {
        admin_email: state.admins[r.int(0, Math.max(0, state.admins.length - 1))]?.email ?? '',
        bypass_code_id: r.chars(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
        created,
        expiration,
        reuse_count: reuse === 0 ? null : reuse,
        user: {
          created: u.created,
          email: u.email,
          last_login: u.last_login,
          realname: u.realname,
          status: u.status,
          user_id: u.user_id,
          username: u.username,
        },
      },
    });
  }
}
