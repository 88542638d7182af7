/**
 * Passcodes the Auth API accepts: bypass codes (with reuse counts and expiry), hardware-token and Duo Mobile
 * HOTP/TOTP codes (RFC 4226/6238 via otpauth), and SMS passcodes from the last batch sent.
 */
import { HOTP, Secret, TOTP } from 'otpauth';
import type { TenantCore } from './core.js';
import { createRng } from './prng.js';
import { mint } from './state.js';
import type { WireUser } from './wire-types.js';

/** HOTP look-ahead: a token pressed a few times without logging in still works. */
const HOTP_WINDOW = 10;

export interface Passcodes {
  /** the factor the passcode was valid for (bypass_code, hardware_token, duo_mobile_passcode, sms_passcode) */
  verify(user: WireUser, passcode: string): string | undefined;
  /** a currently valid code of the user's first token or phone with a secret */
  valid(user: WireUser): string | undefined;
  createBypassCode(user: WireUser, opts?: { reuseCount?: number; validSecs?: number }): string;
  setSmsCodes(userId: string, codes: string[]): void;
  smsCodes(userId: string): string[];
}

export function createPasscodes(core: TenantCore): Passcodes {
  const { state, clock } = core;
  const smsCodes = new Map<string, string[]>();
  const otpCheck = (id: string, passcode: string): boolean => {
    const s = state.otp.get(id);
    if (s === undefined) return false;
    const secret = Secret.fromBase32(s.secret);
    if (s.kind === 'totp')
      return (
        new TOTP({ secret, digits: s.digits, period: s.step }).validate({
          token: passcode,
          timestamp: clock.now(),
          window: 1,
        }) !== null
      );
    const delta = new HOTP({ secret, digits: s.digits }).validate({
      token: passcode,
      counter: s.counter + HOTP_WINDOW,
      window: HOTP_WINDOW,
    });
    if (delta === null) return false;
    s.counter = s.counter + HOTP_WINDOW + delta + 1; // HOTP counters only move forward: a code works once
    if (s.counter < 0) s.counter = 0;
    return true;
  };

  return {
    verify(user, passcode) {
      const nowS = Math.floor(clock.now() / 1000);
      const bi = state.bypass.findIndex(
        (b) =>
          b.wire.user.user_id === user.user_id &&
          b.plaintext === passcode &&
          (b.wire.expiration === null || b.wire.expiration > nowS),
      );
      const b = state.bypass[bi];
      if (b !== undefined) {
        if (b.remaining !== null) {
          b.remaining -= 1;
          b.wire.reuse_count = b.remaining;
          if (b.remaining <= 0) state.bypass.splice(bi, 1);
        }
        return 'bypass_code';
      }
      for (const t of user.tokens) if (otpCheck(t.token_id, passcode)) return 'hardware_token';
      for (const ph of user.phones) if (otpCheck(ph.phone_id, passcode)) return 'duo_mobile_passcode';
      const codes = smsCodes.get(user.user_id);
      const i = codes?.indexOf(passcode) ?? -1;
      if (codes !== undefined && i >= 0) {
        codes.splice(i, 1);
        return 'sms_passcode';
      }
      return undefined;
    },
    valid(user) {
      for (const id of [...user.tokens.map((t) => t.token_id), ...user.phones.map((p) => p.phone_id)]) {
        const s = state.otp.get(id);
        if (s === undefined) continue;
        const secret = Secret.fromBase32(s.secret);
        return s.kind === 'totp'
          ? new TOTP({ secret, digits: s.digits, period: s.step }).generate({ timestamp: clock.now() })
          : new HOTP({ secret, digits: s.digits }).generate({ counter: s.counter });
      }
      return undefined;
    },
    createBypassCode(user, opts = {}) {
      const n = mint(state);
      const r = createRng(state.seed, 'bypass', n);
      const plaintext = r.chars(9, '0123456789');
      const nowS = Math.floor(clock.now() / 1000);
      const validSecs = opts.validSecs ?? 3600;
      const reuse = opts.reuseCount ?? 1;
      const id = r.chars(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
      state.bypass.push({
        plaintext,
        remaining: reuse === 0 ? null : reuse,
        wire: {
          admin_email: state.admins[0]?.email ?? '',
          bypass_code_id: id,
          created: nowS,
          expiration: validSecs === 0 ? null : nowS + validSecs,
          reuse_count: reuse === 0 ? null : reuse,
          user: {
            created: user.created,
            email: user.email,
            last_login: user.last_login,
            realname: user.realname,
            status: user.status,
            user_id: user.user_id,
            username: user.username,
          },
        },
      });
      core.recordAdmin(
        'bypass_create',
        user.username,
        {
          auto_generated: true,
          bypass: '',
          bypass_code_ids: [id],
          count: 1,
          remaining_uses: reuse,
          user_id: user.user_id,
          valid_secs: validSecs,
        },
        core.defaultAdminName(),
      );
      return plaintext;
    },
    setSmsCodes(userId, codes) {
      smsCodes.set(userId, codes);
    },
    smsCodes: (userId) => [...(smsCodes.get(userId) ?? [])],
  };
}
