/**
 * The Auth API engine (docs/duo-wire.md §5 "Auth API v2"): simulated users answer pushes and calls as scripted
 * (approve after N s, deny, ignore until the ~60 s timeout, report fraud). Waiting uses the emulator clock,
 * so a test advances time instead of sleeping. Every finished authentication is written to the auth log.
 */
import { decide, MSG, preauthDevices } from './auth-decision.js';
import { isIP } from 'node:net';
import type { RecordAuthInput, TenantCore } from './core.js';
import { integrationOf } from './directory-gen.js';
import { invalid, missing, worldError } from './errors.js';
import { createRng } from './prng.js';
import { mint } from './state.js';
import { createPasscodes } from './passcodes.js';
import type {
  AuthOptions,
  AuthResult,
  AuthStatusResult,
  EnrollResult,
  Params,
  PreauthResult,
  UserBehaviour,
  WorldError,
} from './types.js';
import type { WirePhone, WireUser } from './wire-types.js';

/** How long Duo waits for an answer before the push or call times out (about a minute, docs/duo-wire.md §5). */
export const PUSH_TIMEOUT_MS = 60_000;
/** Users without a scripted behaviour approve after this many seconds (ASSUMPTIONS A5). */
export const DEFAULT_BEHAVIOUR: UserBehaviour = { kind: 'approve', afterS: 3 };

const FINAL = {
  allow: { result: 'allow', status: 'allow', status_msg: 'Success. Logging you in...' },
  deny: { result: 'deny', status: 'deny', status_msg: 'Login request denied.' },
  timeout: { result: 'deny', status: 'timeout', status_msg: 'Login request timed out.' },
  fraud: { result: 'deny', status: 'fraud', status_msg: 'Login request reported as fraudulent.' },
  badPasscode: { result: 'deny', status: 'deny', status_msg: 'Incorrect passcode. Please try again.' },
  smsFailed: {
    result: 'deny',
    status: 'deny',
    status_msg: 'Unable to send SMS passcodes. Try another method.',
  },
} as const satisfies Record<string, AuthResult>;

interface Tx {
  state: AuthStatusResult;
  /** Bumped on every state change; `reported` is the last version an auth_status poll returned. */
  version: number;
  reported: number;
  changed: Set<() => void>;
  done: Promise<void>;
}

export interface AuthEngine {
  preauth(p: Params): PreauthResult | WorldError;
  auth(p: Params, opts?: AuthOptions & { signal?: AbortSignal }): Promise<AuthResult | WorldError>;
  authAsync(p: Params, opts?: AuthOptions): { txid: string } | WorldError;
  authStatus(
    txid: string,
    opts?: { waitMs?: number; signal?: AbortSignal },
  ): Promise<AuthStatusResult | WorldError>;
  enroll(p: Params): EnrollResult | WorldError;
  enrollStatus(p: Params): 'success' | 'waiting' | 'invalid' | WorldError;
  verifyPasscode(user: WireUser, passcode: string): string | undefined;
  /** The SMS passcodes of the last batch sent to the user that are still unused (control API). */
  smsPasscodes(user: WireUser): string[];
  validPasscode(user: WireUser): string | undefined;
  createBypassCode(user: WireUser, opts?: { reuseCount?: number; validSecs?: number }): string;
}

type Origin = Pick<RecordAuthInput, 'application' | 'ip' | 'hostname'>;

export function createAuthEngine(core: TenantCore): AuthEngine {
  const { state, clock } = core;
  const txs = new Map<string, Tx>();
  const passcodes = createPasscodes(core);
  const enrollments = new Map<string, { code: string; expires: number; completesAt: number | null }>();

  const behaviourOf = (u: WireUser): UserBehaviour => state.behaviours.get(u.user_id) ?? DEFAULT_BEHAVIOUR;
  const waiting = (status: string, msg: string): AuthStatusResult => ({
    result: 'waiting',
    status,
    status_msg: msg,
    auth_delayed: false,
  });
  const setState = (tx: Tx, r: AuthResult | AuthStatusResult): void => {
    tx.state = { result: r.result, status: r.status, status_msg: r.status_msg, auth_delayed: false };
    tx.version += 1;
    for (const f of [...tx.changed]) f();
  };
  const phoneFor = (u: WireUser, device: string, cap: string): WirePhone | undefined =>
    u.phones.find(
      (ph) => (device === 'auto' || ph.phone_id === device) && ph.capabilities.includes(cap as never),
    );

  const engine: AuthEngine = {
    verifyPasscode: (user, passcode) => passcodes.verify(user, passcode),
    smsPasscodes: (user) => passcodes.smsCodes(user.user_id),
    validPasscode: (user) => passcodes.valid(user),
    createBypassCode: (user, opts) => passcodes.createBypassCode(user, opts),
    preauth(p) {
      const d = decide(core, p);
      if ('error' in d) return d;
      if (d.kind === 'auth')
        return { result: 'auth', status_msg: 'Account is active', devices: preauthDevices(d.user) };
      if (d.kind === 'enroll')
        return {
          result: 'enroll',
          status_msg: MSG.enroll,
          enroll_portal_url: `https://${core.hostname}/portal?code=${createRng(state.seed, 'portal', d.username).chars(16, '0123456789abcdef')}&akey=${core.accountId}`,
        };
      return { result: d.kind, status_msg: d.msg };
    },
    async auth(p, opts = {}) {
      const started = start(p, opts);
      if ('error' in started) return started;
      if (!('tx' in started)) return started;
      await abortable(started.tx.done, opts.signal);
      const s = started.tx.state;
      return { result: s.result === 'allow' ? 'allow' : 'deny', status: s.status, status_msg: s.status_msg };
    },
    authAsync(p, opts = {}) {
      const started = start(p, opts);
      if ('error' in started) return started;
      if ('tx' in started) return { txid: started.txid };
      // Immediate answers (passcode, sms, bypass…) still get a txid whose status is already final.
      const txid = core.newId('tx');
      const tx: Tx = {
        state: waiting('', ''),
        version: 0,
        reported: 0,
        changed: new Set(),
        done: Promise.resolve(),
      };
      setState(tx, started);
      txs.set(txid, tx);
      return { txid };
    },
    async authStatus(txid, opts = {}) {
      const tx = txs.get(txid);
      if (tx === undefined) return invalid('txid');
      // Long poll (docs/emulator.md "Auth API"): a state this transaction's pollers have not been told yet is
      // answered at once (the first poll of a push sees `waiting`/`pushed`, as Duo's published example shows);
      // otherwise hold until the state changes. `waitMs` bounds the hold in emulator time (0 answers at once);
      // without it the hold ends with the transaction, at most the ~60 s push timeout.
      if (tx.state.result !== 'waiting' || opts.waitMs === 0 || tx.version > tx.reported) {
        tx.reported = tx.version;
        return { ...tx.state };
      }
      const stop = new AbortController();
      const onAbort = (): void => stop.abort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let notify: () => void = () => undefined;
      const changed = new Promise<void>((resolve) => (notify = resolve));
      tx.changed.add(notify);
      const stopped = new Promise<void>((resolve) =>
        stop.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      const waits = [changed, stopped];
      if (opts.waitMs !== undefined) waits.push(clock.sleep(opts.waitMs, stop.signal).catch(() => undefined));
      try {
        await Promise.race(waits);
      } finally {
        tx.changed.delete(notify);
        stop.abort();
        opts.signal?.removeEventListener('abort', onAbort);
      }
      if (opts.signal?.aborted)
        throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
      tx.reported = tx.version;
      return { ...tx.state };
    },
    enroll(p) {
      const nowS = Math.floor(clock.now() / 1000);
      const n = mint(state);
      const r = createRng(state.seed, 'enroll', n);
      const username = p['username'] ?? `user${r.chars(8, '0123456789')}`;
      if (core.findUser(username) !== undefined) return invalid('username');
      const validSecs = Number(p['valid_secs'] ?? '86400');
      if (!Number.isInteger(validSecs) || validSecs <= 0) return invalid('valid_secs');
      const user = core.addUser(username);
      const code = r.chars(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
      const b = behaviourOf(user);
      const completesAt = b.kind === 'approve' ? clock.now() + (b.afterS ?? 3) * 1000 : null;
      enrollments.set(user.user_id, { code, expires: nowS + validSecs, completesAt });
      const host = core.hostname.replace(/^api-/, 'm-');
      return {
        activation_barcode: `https://${core.hostname}/frame/qr?value=duo%3A%2F%2F${code}`,
        activation_code: `duo://${code}`,
        activation_url: `https://${host}/activate/${code}`,
        expiration: nowS + validSecs,
        user_id: user.user_id,
        username,
      };
    },
    enrollStatus(p) {
      const userId = p['user_id'];
      const code = p['activation_code'];
      if (userId === undefined) return missing('user_id');
      if (code === undefined) return missing('activation_code');
      const e = enrollments.get(userId);
      if (e === undefined || (`duo://${e.code}` !== code && e.code !== code)) return 'invalid';
      if (e.completesAt !== null && clock.now() >= e.completesAt) {
        const user = core.findUser(userId);
        if (user !== undefined && user.phones.length === 0) core.attachPhone(user);
        return 'success';
      }
      return Math.floor(clock.now() / 1000) > e.expires ? 'invalid' : 'waiting';
    },
  };

  /**
   * Where an Auth API authentication comes from, as Duo logs it: the Auth API application, the `ipaddr` the
   * caller passed (when it is an IP address) and its `hostname`.
   */
  function origin(p: Params): Origin {
    const app = state.apps.find((a) => a.kind === 'auth');
    const o: Origin = { hostname: p['hostname'] ?? null };
    if (app !== undefined) o.application = integrationOf(app, null);
    const ip = p['ipaddr'];
    if (ip !== undefined && isIP(ip) !== 0) o.ip = ip;
    return o;
  }

  /** Validates and starts an authentication; immediate outcomes come back as an AuthResult. */
  function start(p: Params, opts: AuthOptions): AuthResult | WorldError | { tx: Tx; txid: string } {
    const factor = p['factor'];
    if (factor === undefined || factor === '') return missing('factor');
    if (!['auto', 'push', 'passcode', 'sms', 'phone'].includes(factor)) return invalid('factor');
    const d = decide(core, p);
    if ('error' in d) return d;
    const o = origin(p);
    if (d.kind === 'enroll') {
      if (d.user === undefined) return invalid('username');
      core.recordAuth({ ...o, user: d.user, result: 'denied', reason: 'user_not_enrolled', factor: null });
      return { result: 'deny', status: 'enroll', status_msg: MSG.enroll };
    }
    if (d.kind !== 'auth') {
      if (d.user !== undefined)
        core.recordAuth({
          ...o,
          user: d.user,
          result: d.kind === 'allow' ? 'success' : 'denied',
          reason: d.reason,
          factor: null,
        });
      return { result: d.kind, status: d.kind, status_msg: d.msg };
    }
    const user = d.user;
    if (factor === 'passcode') {
      const passcode = p['passcode'];
      if (passcode === undefined || passcode === '') return missing('passcode');
      const used = passcodes.verify(user, passcode);
      if (used !== undefined) {
        state.failures.delete(user.user_id);
        core.recordAuth({ ...o, user, result: 'success', reason: 'valid_passcode', factor: used });
        return { ...FINAL.allow };
      }
      const failures = (state.failures.get(user.user_id) ?? 0) + 1;
      state.failures.set(user.user_id, failures);
      core.recordAuth({ ...o, user, result: 'failure', reason: 'invalid_passcode', factor: 'passcode' });
      const threshold = Number(state.settings.lockout_threshold);
      if (threshold > 0 && failures >= threshold) {
        // Duo locks the user after lockout_threshold consecutive failures (settings, docs/duo-wire.md §5).
        user.status = 'locked out';
        user.lockout_reason = 'Failed Attempts';
      }
      return { ...FINAL.badPasscode };
    }
    const device = p['device'];
    if (device === undefined || device === '') return missing('device');
    if (factor === 'sms') {
      const phone = phoneFor(user, device, 'sms');
      if (phone === undefined) return invalid('no capable device');
      if (opts.telephonyDown === true) {
        // The provider refused the message: nothing is sent, Duo logs an error [assumption, docs/emulator.md].
        core.recordAuth({ ...o, user, result: 'error', reason: 'error', factor: 'sms_refresh' });
        return { ...FINAL.smsFailed };
      }
      const r = createRng(state.seed, 'sms', mint(state));
      const batch = Math.max(1, Number(state.settings['sms_batch'] ?? 1));
      const codes = Array.from({ length: batch }, (_, i) => `${(i + 1) % 10}${r.chars(6, '0123456789')}`);
      passcodes.setSmsCodes(user.user_id, codes);
      phone.sms_passcodes_sent = true;
      core.recordTelephony(phone.number, 'sms', 'authentication');
      core.recordAuth({ ...o, user, result: 'denied', reason: null, factor: 'sms_refresh' });
      return { result: 'deny', status: 'sent', status_msg: 'New SMS passcodes sent.' };
    }
    const cap = factor === 'auto' ? 'auto' : factor;
    let phone = phoneFor(user, device, cap);
    if (factor === 'auto' && phone === undefined)
      phone = phoneFor(user, device, 'push') ?? phoneFor(user, device, 'phone');
    if (phone === undefined) return worldError(400, 40002, 'no capable device');
    const viaPush = factor === 'push' || (factor === 'auto' && phone.capabilities.includes('push'));
    if (!viaPush) core.recordTelephony(phone.number, 'phone', 'authentication');
    const txid = core.newId('tx');
    const tx: Tx = {
      state: viaPush
        ? waiting('pushed', 'Pushed a login request to your device...')
        : waiting('calling', 'Calling your phone...'),
      version: 1,
      reported: 0,
      changed: new Set(),
      done: Promise.resolve(),
    };
    txs.set(txid, tx);
    tx.done = run(tx, txid, user, phone, viaPush ? 'duo_push' : 'phone_call', o, {
      callLost: !viaPush && opts.telephonyDown === true,
    });
    return { tx, txid };
  }

  async function run(
    tx: Tx,
    txid: string,
    user: WireUser,
    phone: WirePhone,
    factor: string,
    o: Origin,
    how: { callLost: boolean },
  ): Promise<void> {
    // A call the provider never connects rings nobody: it times out whatever the user would have done.
    const b: UserBehaviour = how.callLost ? { kind: 'ignore' } : behaviourOf(user);
    const afterMs = b.kind === 'ignore' ? PUSH_TIMEOUT_MS : Math.min((b.afterS ?? 3) * 1000, PUSH_TIMEOUT_MS);
    await clock.sleep(afterMs);
    const outcome =
      b.kind === 'ignore' || ((b.afterS ?? 0) * 1000 >= PUSH_TIMEOUT_MS && b.kind === 'approve')
        ? 'timeout'
        : b.kind === 'approve'
          ? 'allow'
          : b.kind;
    setState(tx, FINAL[outcome]);
    const authDevice = {
      key: phone.phone_id,
      name: phone.number,
      ip: null,
      location: { city: null, state: null, country: null },
    };
    const [result, reason] = {
      allow: ['success', 'user_approved'],
      deny: ['denied', 'user_mistake'],
      timeout: how.callLost ? ['denied', 'call_timed_out'] : ['denied', 'no_response'],
      fraud: ['fraud', 'user_marked_fraud'],
    }[outcome] as ['success' | 'denied' | 'fraud', string];
    if (result === 'success') state.failures.delete(user.user_id);
    core.recordAuth({ ...o, user, result, reason, factor, authDevice, txid });
  }

  return engine;
}

async function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return p;
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([p, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
