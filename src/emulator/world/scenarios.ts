/**
 * Scenarios injected at any moment, each leaving the trail Duo would leave (auth events with the right
 * result/reason/factor, administrator rows with Duo's action names and JSON descriptions, telephony rows,
 * Trust Monitor events). Events start at `at` (default: now) and run forward, so a collector that already
 * read up to now never misses them (no gap behind a cursor).
 */
import { FOREIGN_PLACES, HOME_PLACES, type Place } from './catalog.js';
import { ipIn } from './auth-event.js';
import type { TenantCore } from './core.js';
import type { AuthEngine } from './auth-engine.js';
import { makeAdmin } from './directory-gen.js';
import { trustMonitorEvent } from './other-logs-gen.js';
import { createRng, duoId } from './prng.js';
import { mint } from './state.js';
import type { ScenarioResult, ScenarioSpec } from './types.js';
import type { WireUser } from './wire-types.js';

function pickUser(core: TenantCore, name: string | undefined, kind: string): WireUser {
  if (name !== undefined) {
    const u = core.findUser(name);
    if (u === undefined) throw new RangeError(`scenario ${kind}: no user "${name}"`);
    return u;
  }
  const candidates = core.state.users.filter(
    (u) => u.status === 'active' && u.phones.some((p) => p.capabilities.includes('push')),
  );
  const pool = candidates.length > 0 ? candidates : core.state.users;
  if (pool.length === 0) throw new RangeError(`scenario ${kind}: the tenant has no users`);
  return createRng(core.state.seed, 'scenario-user', kind, core.state.serial).pick(pool);
}

function phoneDevice(u: WireUser, place: Place) {
  const ph = u.phones[0];
  return ph === undefined
    ? null
    : { key: ph.phone_id, name: ph.number, ip: null, location: { ...place.loc } };
}

export function injectScenario(core: TenantCore, engine: AuthEngine, s: ScenarioSpec): ScenarioResult {
  const at = s.at ?? core.clock.now();
  const r = createRng(core.state.seed, 'scenario', s.kind, mint(core.state));
  const out: ScenarioResult = {
    kind: s.kind,
    authTxids: [],
    adminActions: [],
    telephonyIds: [],
    trustMonitorKeys: [],
    userId: null,
  };
  // Each scenario hits one of the tenant's protected applications, not always the first.
  const apps = core.protectedApps();
  const application = apps.length > 0 ? r.pick(apps) : undefined;
  const auth = (i: Parameters<TenantCore['recordAuth']>[0]): void => {
    out.authTxids.push(core.recordAuth({ ...(application ? { application } : {}), ...i }).txid);
  };
  const admin = (...args: Parameters<TenantCore['recordAdmin']>): void => {
    core.recordAdmin(...args);
    out.adminActions.push(args[0]);
  };
  const adminName = (name: string | undefined): string => name ?? core.defaultAdminName();

  switch (s.kind) {
    case 'push_fatigue': {
      // An attacker with the password spams pushes; the user ignores or refuses, then gives in.
      const u = pickUser(core, s.user, s.kind);
      out.userId = u.user_id;
      const home = HOME_PLACES[core.homeOf(u).place] as Place;
      const attackerPlace = r.pick(FOREIGN_PLACES);
      const ip = ipIn(r, attackerPlace);
      const n = s.pushes ?? 8;
      let t = at;
      for (let i = 0; i < n; i++) {
        const reason = r.weighted([
          ['no_response', 5],
          ['user_mistake', 3],
          ['user_cancelled', 1],
          ['anomalous_push', 1],
        ] as const);
        auth({
          user: u,
          tsMs: t,
          result: 'denied',
          reason,
          factor: 'duo_push',
          place: attackerPlace,
          ip,
          authDevice: phoneDevice(u, home),
        });
        t += r.int(20, 65) * 1000;
      }
      if (s.approve ?? true)
        auth({
          user: u,
          tsMs: t,
          result: 'success',
          reason: 'user_approved',
          factor: 'duo_push',
          place: attackerPlace,
          ip,
          authDevice: phoneDevice(u, home),
        });
      break;
    }
    case 'fraud': {
      const u = pickUser(core, s.user, s.kind);
      out.userId = u.user_id;
      const place = r.pick(FOREIGN_PLACES);
      auth({
        user: u,
        tsMs: at,
        result: 'fraud',
        reason: 'user_marked_fraud',
        factor: 'duo_push',
        place,
        ip: ipIn(r, place),
        authDevice: phoneDevice(u, HOME_PLACES[core.homeOf(u).place] as Place),
      });
      break;
    }
    case 'bypass_code_use': {
      const u = pickUser(core, s.user, s.kind);
      out.userId = u.user_id;
      // Social engineering: someone talked the help desk into a code and uses it from far away (a code used
      // from the user's own network is the ordinary lost-phone case the generated history already has).
      engine.createBypassCode(u);
      out.adminActions.push('bypass_create');
      const place = r.pick(FOREIGN_PLACES);
      auth({
        user: u,
        tsMs: at + 60_000,
        result: 'success',
        reason: 'valid_passcode',
        factor: 'bypass_code',
        place,
        ip: ipIn(r, place),
      });
      break;
    }
    case 'user_to_bypass': {
      const u = pickUser(core, s.user, s.kind);
      out.userId = u.user_id;
      u.status = 'bypass';
      admin('user_update', u.username, { status: 'Bypass' }, adminName(s.admin), at);
      auth({ user: u, tsMs: at + 60_000, result: 'success', reason: 'bypass_user', factor: null });
      const sekey = duoId('SE', core.state.seed, 'scenario-tm', core.state.serial);
      const ev = trustMonitorEvent(
        tmContext(core),
        r,
        at + 1000,
        sekey,
        u,
        core.homeOf(u),
        core.newId('tm-tx'),
      );
      ev.type = 'bypass_status';
      ev.bypass_status_enabled = at;
      ev.enabled_by = { key: '', name: adminName(s.admin) };
      ev.enabled_for = { key: u.user_id, name: u.username };
      delete ev.surfaced_auth;
      ev.explanations = [
        { summary: `${u.username} was put in bypass status.`, type: 'BYPASS_STATUS_ENABLED' },
      ];
      core.streams.trust.inject(at + 1000, sekey, ev);
      out.trustMonitorKeys.push(sekey);
      break;
    }
    case 'admin_action': {
      const who = adminName(s.admin);
      if (s.action === 'bypass_create') {
        const u = pickUser(core, s.user, s.kind);
        out.userId = u.user_id;
        engine.createBypassCode(u);
        out.adminActions.push('bypass_create');
      } else if (s.action === 'user_delete') {
        const u = pickUser(core, s.user, s.kind);
        out.userId = u.user_id;
        // Duo moves a deleted user to the trash ("pending deletion") before purging it (ASSUMPTIONS A12).
        u.status = 'pending deletion';
        admin(
          'user_delete',
          u.username,
          { email: u.email, realname: u.realname, username: u.username },
          who,
          at,
        );
      } else if (s.action === 'admin_create') {
        const i = core.state.admins.length;
        const name = `New Admin ${i}`;
        const a = makeAdmin(core.state.seed, Math.floor(at / 1000), 100 + mint(core.state), {
          name,
          email: `new.admin${i}@example.com`,
          role: 'Administrator',
          status: 'Pending Activation',
          last_login: null,
        });
        core.state.admins.push(a);
        admin(
          'admin_create',
          a.email,
          { email: a.email, name: a.name, phone: a.phone, role: a.role },
          who,
          at,
        );
      } else {
        const app = core.state.apps.find((x) => x.kind === 'admin') ?? core.state.apps[0];
        admin(
          'integration_skey_view',
          app?.name ?? '',
          { integration_key: app?.ikey ?? '', type: 'Admin API' },
          who,
          at,
        );
      }
      break;
    }
    case 'new_country': {
      const u = pickUser(core, s.user, s.kind);
      out.userId = u.user_id;
      const place = FOREIGN_PLACES.find((p) => p.loc.country === s.country) ?? r.pick(FOREIGN_PLACES);
      const ip = ipIn(r, place);
      const ev = core.recordAuth({
        ...(application ? { application } : {}),
        user: u,
        tsMs: at,
        result: 'success',
        reason: 'user_approved',
        factor: 'duo_push',
        place,
        ip,
        authDevice: phoneDevice(u, place),
      });
      out.authTxids.push(ev.txid);
      const sekey = duoId('SE', core.state.seed, 'scenario-tm', core.state.serial);
      const tm = trustMonitorEvent(tmContext(core), r, at + 5000, sekey, u, core.homeOf(u), ev.txid);
      tm.surfaced_auth = ev;
      tm.priority_event = true;
      core.streams.trust.inject(at + 5000, sekey, tm);
      out.trustMonitorKeys.push(sekey);
      break;
    }
    case 'impossible_travel': {
      // The same user logs in at home, then minutes later from the other side of the world (a stolen session or
      // password and an approved push). Both addresses are ones offline GeoIP databases place in those cities.
      const u = pickUser(core, s.user, s.kind);
      out.userId = u.user_id;
      const home = HOME_PLACES[core.homeOf(u).place] as Place;
      const far = FOREIGN_PLACES.find((p) => p.loc.country === s.country) ?? r.pick(FOREIGN_PLACES);
      const login = (place: Place, tsMs: number): void =>
        auth({
          user: u,
          tsMs,
          result: 'success',
          reason: 'user_approved',
          factor: 'duo_push',
          place,
          ip: place.anchorIp ?? ipIn(r, place),
          authDevice: phoneDevice(u, home),
        });
      login(home, at);
      login(far, at + (s.minutes ?? r.int(5, 15)) * 60_000);
      break;
    }
    case 'remembered_device_abuse': {
      // Many remembered-device logins in a day, the last ones from an address the user never used.
      const u = pickUser(core, s.user, s.kind);
      out.userId = u.user_id;
      const n = s.count ?? 30;
      const foreign = r.pick(FOREIGN_PLACES);
      const ip = ipIn(r, foreign);
      let t = at;
      for (let i = 0; i < n; i++) {
        const away = i >= n - Math.ceil(n / 5);
        auth({
          user: u,
          tsMs: t,
          result: 'success',
          reason: 'remembered_device',
          factor: 'remembered_device',
          ...(away ? { place: foreign, ip } : {}),
        });
        t += r.int(2, 20) * 60_000;
      }
      break;
    }
    case 'telephony_fraud': {
      // Toll fraud: calls and SMS to many distinct premium-rate numbers within an hour.
      const n = s.count ?? 40;
      let t = at;
      for (let i = 0; i < n; i++) {
        const number = `+${r.pick(['882', '881', '979', '252'])}${r.chars(8, '0123456789')}`;
        const item = core.recordTelephony(number, r.chance(0.5) ? 'phone' : 'sms', 'authentication', t);
        out.telephonyIds.push(item.telephony_id);
        t += r.int(30, 90) * 1000;
      }
      break;
    }
  }
  return out;
}

function tmContext(core: TenantCore) {
  return {
    seed: core.state.seed,
    accountId: core.accountId,
    users: core.state.users,
    homes: core.state.homes,
    admins: core.state.admins,
    apps: core.protectedApps(),
    hostname: core.hostname,
  };
}
