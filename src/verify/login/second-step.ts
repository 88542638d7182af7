/**
 * Duo's second step on duowatch's own login (docs/verify.md "Duo 2FA on the duowatch login"): preauth
 * decides; the user picks push (async + status), passcode, SMS or phone. Challenges live in the database
 * (challenge-store.ts), keyed by the hash of a random secret in an HttpOnly cookie, so a restart or a second
 * process continues them; they expire on the injected clock and are single-use. Pushes are limited per account (one at a
 * time, a few per ten minutes, growing back-off) so a stolen password cannot spam the user's phone. When Duo
 * cannot answer, the health capability's fail-mode advisor decides; owners and admins always fail closed,
 * and without the advisor everyone does. With `verify.login.method: universal` the step is Duo's Universal
 * Prompt instead (universal-prompt.ts), over the same challenges, audit and fail-mode decision.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AlertRaiser, FailModeAdvisor } from '../../app/shared.js';
import { DuoApiError, type AuthEndpoints, type DuoPreauth } from '../../duo/index.js';
import type {
  SecondFactor,
  SecondFactorAccount,
  SecondFactorOutcome,
  SecondStepInput,
} from '../../accounts/index.js';
import { cleanStatusMsg } from '../advice.js';
import type { Challenge, ChallengeStore } from './challenge-store.js';
import { UniversalUnavailable } from '../universal/client.js';
import { universalPrompt, type Asker, type UniversalPrompt } from './universal-prompt.js';

export interface SecondStepPolicy {
  /** The Duo username for a duowatch account (usernameMap, else the same). */
  duoUsername(username: string): string;
  exempt(username: string): boolean;
  maxPushesPer10Min: number;
  challengeTtlMs: number;
  application: string;
}

export interface SecondStepDeps {
  policy: SecondStepPolicy;
  /** The Auth API of the configured integration, or an error when it cannot be reached at all. */
  duo: () => Promise<{ auth: AuthEndpoints; orgId: string; integrationId: string }>;
  failMode: FailModeAdvisor | undefined;
  alerts: AlertRaiser;
  audit: (entry: { action: string; target: string; details: Record<string, unknown> }) => Promise<void>;
  isBreakGlass: (operatorId: string) => Promise<boolean>;
  recordSession: (sessionHash: string, o: Extract<SecondFactorOutcome, { kind: 'allow' }>) => Promise<void>;
  /** Where pending sign-ins and recent pushes are kept (the database). */
  challenges: ChallengeStore;
  clock?: () => number;
  random?: (n: number) => Buffer;
  /**
   * Duo's Universal Prompt instead of the Auth API (`verify.login.method: universal`): the redirect flow
   * (universal-prompt.ts), with the organization whose fail-mode policy applies when Duo is down.
   */
  universal?: UniversalPrompt;
  /** Longest a single Duo request may take before it counts as a timeout. */
  requestTimeoutMs?: number;
}

const PASSCODE_TRIES = 5;
const PUSH_BACKOFF_BASE_MS = 15_000;
const WINDOW_MS = 10 * 60_000;

/** Duo answered with an error of its own (4xx with a code, not a rate limit): Duo is up, it said no. */
const duoRefused = (error: unknown): error is DuoApiError =>
  error instanceof DuoApiError &&
  error.duoCode !== undefined &&
  error.httpStatus !== undefined &&
  error.httpStatus < 500 &&
  error.kind !== 'rate_limited';

const strongest = (a: SecondFactorAccount): string => {
  if (a.superadmin || a.roles.includes('owner')) return 'owner';
  if (a.roles.includes('admin')) return 'admin';
  return a.roles.includes('auditor') ? 'auditor' : 'viewer';
};

export function createSecondStep(deps: SecondStepDeps): SecondFactor {
  const now = deps.clock ?? Date.now;
  const random = deps.random ?? randomBytes;
  const timeoutMs = deps.requestTimeoutMs ?? 10_000;
  const challenges = deps.challenges;
  const key = (secret: string): string => createHash('sha256').update(secret).digest('hex');

  const deny = (code: string, message: string): SecondFactorOutcome => ({ kind: 'deny', code, message });
  const view = (secret: string, ch: Challenge): SecondFactorOutcome => ({
    kind: 'pending',
    challenge: secret,
    view: {
      state: ch.oidc !== undefined ? 'redirect' : ch.state === 'waiting' ? 'waiting' : 'choose',
      message: ch.message,
      ...(ch.oidc === undefined ? {} : { redirectUrl: ch.oidc.redirectUrl }),
      factors: ch.factors,
      devices: ch.devices,
    },
  });
  const finish = (ch: Challenge, factor: string): SecondFactorOutcome => {
    ch.state = 'done';
    return { kind: 'allow', operatorId: ch.operatorId, mfa: true, factor, reason: `Duo ${factor}` };
  };

  /** Duo could not answer: the fail-mode policy decides (owners and admins always closed). */
  async function unavailable(a: Asker, error: unknown, orgId: string | null): Promise<SecondFactorOutcome> {
    const cause: 'down' | 'timeout' | 'error' =
      error instanceof UniversalUnavailable
        ? error.failure
        : error instanceof DuoApiError
          ? error.kind === 'timeout'
            ? 'timeout'
            : error.kind === 'network' || error.kind === 'server_error'
              ? 'down'
              : 'error'
          : error instanceof Error && error.name === 'TimeoutError'
            ? 'timeout'
            : 'down';
    const detail = cleanStatusMsg(error instanceof Error ? error.message : String(error));
    const closed = async (why: string): Promise<SecondFactorOutcome> => {
      await deps.audit({
        action: 'session.second_factor',
        target: a.username,
        details: { outcome: 'failure', decision: 'fail_closed', cause, why, error: detail },
      });
      return deny('second_factor_unavailable', `Duo cannot be reached (${cause}); sign-in refused (${why}).`);
    };
    if (a.role === 'owner' || a.role === 'admin') return closed('owners and admins always fail closed');
    if (deps.failMode === undefined || orgId === null) return closed('no fail-mode policy is running');
    const decision = await deps.failMode.decide({
      orgId,
      application: deps.policy.application,
      role: a.role,
      username: a.username,
      cause,
      ...(a.ip === null ? {} : { ip: a.ip }),
    });
    if (!decision.allow) return closed(decision.reason);
    // The advisor's reason already starts "password only: …"; say it once.
    const reason = decision.reason.startsWith('password only')
      ? decision.reason
      : `password only: ${decision.reason}`;
    await deps.audit({
      action: 'session.second_factor',
      target: a.username,
      details: { outcome: 'success', decision: 'fail_open', mode: decision.mode, cause, reason },
    });
    await deps.alerts.raise({
      orgId,
      source: 'verify',
      rule: 'verify.login_fail_open',
      title: `${a.username} signed in to duowatch with the password only (Duo ${cause})`,
      severity: 'high',
      entity: a.username,
      firstSeen: new Date(now()),
      lastSeen: new Date(now()),
      fields: { cause, mode: decision.mode, role: a.role },
    });
    return { kind: 'allow', operatorId: a.operatorId, mfa: false, factor: null, reason };
  }

  const signal = () => AbortSignal.timeout(timeoutMs);

  const replayed = () => deny('second_factor_replayed', 'This sign-in was already finished; sign in again.');

  async function live(secret: string): Promise<Challenge | SecondFactorOutcome> {
    const ch = await challenges.get(key(secret));
    if (ch === undefined) return deny('second_factor_expired', 'This sign-in has expired; sign in again.');
    if (ch.state === 'done') return replayed();
    if (now() > ch.expiresAt) {
      await challenges.remove(key(secret));
      return deny('second_factor_expired', 'This sign-in has expired; sign in again.');
    }
    return ch;
  }

  /**
   * Loads the challenge, lets `step` move it, and writes it back. A step that ends it (allowed or refused)
   * must win the store's one conditional finish: when another request or process finished it first, an
   * "allow" becomes a replay refusal, so one challenge never opens two sessions.
   */
  async function withChallenge(
    secret: string,
    step: (ch: Challenge) => Promise<SecondFactorOutcome>,
  ): Promise<SecondFactorOutcome> {
    const ch = await live(secret);
    if ('kind' in ch) return ch;
    const outcome = await step(ch);
    if (ch.state !== 'done') {
      await challenges.save(key(secret), ch);
      return outcome;
    }
    const won = await challenges.finish(key(secret));
    return outcome.kind === 'allow' && !won ? replayed() : outcome;
  }

  /** The Auth API for a challenge in progress; when Duo cannot be reached at all, the challenge ends here. */
  async function duoFor(
    ch: Challenge,
  ): Promise<Awaited<ReturnType<SecondStepDeps['duo']>> | SecondFactorOutcome> {
    try {
      return await deps.duo();
    } catch (error) {
      ch.state = 'done';
      return unavailable(ch, error, null);
    }
  }

  /** Push back-off: one outstanding, at most N per window, and 15 s · 2^(n-1) between pushes. */
  async function pushRefusal(ch: Challenge): Promise<string | null> {
    if (ch.state === 'waiting') return 'A request is already waiting on your phone; answer it first.';
    const t = now();
    const recent = await challenges.pushesSince(ch.operatorId, t - WINDOW_MS);
    if (recent.length >= deps.policy.maxPushesPer10Min)
      return `Too many push requests; use a passcode or wait ${String(Math.ceil(((recent[0] ?? t) + WINDOW_MS - t) / 1000))} s.`;
    const last = recent[recent.length - 1];
    if (last !== undefined) {
      const next = last + PUSH_BACKOFF_BASE_MS * 2 ** (recent.length - 1);
      if (next > t) return `Wait ${String(Math.ceil((next - t) / 1000))} s before sending another push.`;
    }
    return null;
  }

  async function settle(
    secret: string,
    ch: Challenge,
    s: { result: string; status?: string | null | undefined; status_msg?: string | null | undefined },
    orgId: string,
  ) {
    const msg = cleanStatusMsg(s.status_msg);
    if (s.result === 'allow') return finish(ch, ch.factor ?? 'push');
    if (s.result === 'waiting') {
      ch.message = msg || 'Waiting for your answer…';
      return view(secret, ch);
    }
    ch.state = 'choose';
    ch.txid = null;
    if (s.status === 'fraud') {
      ch.state = 'done';
      await deps.audit({
        action: 'session.second_factor',
        target: ch.username,
        details: { outcome: 'failure', status: 'fraud' },
      });
      await deps.alerts.raise({
        orgId,
        source: 'verify',
        rule: 'verify.login_fraud',
        title: `${ch.username} reported a duowatch sign-in as fraud`,
        severity: 'critical',
        entity: ch.username,
        firstSeen: new Date(now()),
        lastSeen: new Date(now()),
        fields: { ip: ch.ip },
      });
      return deny('second_factor_fraud', 'The request was reported as fraud; sign-in refused.');
    }
    if (s.status === 'timeout') {
      ch.message = 'The request timed out; choose again.';
      return view(secret, ch);
    }
    ch.state = 'done';
    await deps.audit({
      action: 'session.second_factor',
      target: ch.username,
      details: { outcome: 'failure', status: s.status ?? null, factor: ch.factor },
    });
    return deny('second_factor_denied', msg || 'Duo denied the sign-in.');
  }

  /** Stores a new pending sign-in and answers its view. */
  async function open(secret: string, made: Challenge): Promise<SecondFactorOutcome> {
    // Finished and expired challenges (and pushes past the window) go as new ones arrive: the tables stay small.
    await challenges.purge(now(), now() - WINDOW_MS);
    await challenges.create(key(secret), made);
    return view(secret, made);
  }

  const universal =
    deps.universal === undefined
      ? undefined
      : universalPrompt(deps.universal, {
          now,
          secret: () => random(32).toString('base64url'),
          duoUsername: (u) => deps.policy.duoUsername(u),
          challengeTtlMs: deps.policy.challengeTtlMs,
          audit: deps.audit,
          deny,
          open,
          withChallenge,
          unavailable,
        });

  const step: SecondFactor = {
    async begin(account, ip) {
      const role = strongest(account);
      const a = { operatorId: account.id, username: account.username, role, ip };
      if (await deps.isBreakGlass(account.id)) {
        await deps.audit({
          action: 'session.break_glass',
          target: account.username,
          details: { outcome: 'success', ip },
        });
        let orgId: string | null = null;
        try {
          orgId = (await deps.duo()).orgId;
        } catch {
          orgId = null;
        }
        if (orgId !== null)
          await deps.alerts.raise({
            orgId,
            source: 'verify',
            rule: 'verify.break_glass_used',
            title: 'The duowatch break-glass account signed in (no second factor)',
            severity: 'critical',
            entity: account.username,
            firstSeen: new Date(now()),
            lastSeen: new Date(now()),
            fields: { ip },
          });
        return {
          kind: 'allow',
          operatorId: account.id,
          mfa: false,
          factor: null,
          reason: 'break-glass account',
        };
      }
      if (deps.policy.exempt(account.username)) {
        await deps.audit({
          action: 'session.second_factor',
          target: account.username,
          details: { outcome: 'success', decision: 'exempt' },
        });
        return {
          kind: 'allow',
          operatorId: account.id,
          mfa: false,
          factor: null,
          reason: 'account exempt from Duo',
        };
      }
      if (universal !== undefined) return universal.begin(account, a);
      let duo: Awaited<ReturnType<SecondStepDeps['duo']>>;
      try {
        duo = await deps.duo();
      } catch (error) {
        return unavailable(a, error, null);
      }
      const duoUsername = deps.policy.duoUsername(account.username);
      let pre: DuoPreauth;
      try {
        pre = await duo.auth.preauth(
          { username: duoUsername, ...(ip === null ? {} : { ipaddr: ip }) },
          { signal: signal() },
        );
      } catch (error) {
        if (duoRefused(error))
          return deny('second_factor_refused', `Duo refused the sign-in: ${error.message}`);
        return unavailable(a, error, duo.orgId);
      }
      const msg = cleanStatusMsg(pre.status_msg);
      if (pre.result === 'allow') {
        await deps.audit({
          action: 'session.second_factor',
          target: account.username,
          details: { outcome: 'success', decision: 'duo_allow', message: msg },
        });
        return {
          kind: 'allow',
          operatorId: account.id,
          mfa: false,
          factor: null,
          reason: `Duo allowed without a factor: ${msg}`,
        };
      }
      if (pre.result === 'deny') return deny('second_factor_denied', msg || 'Duo denied the sign-in.');
      if (pre.result === 'enroll')
        return deny(
          'second_factor_not_enrolled',
          'You are not enrolled in Duo; enroll first, then sign in again.',
        );
      const devices = (pre.devices ?? []).map((d) => ({
        device: d.device,
        name: cleanStatusMsg(d.display_name ?? d.name ?? d.device),
        capabilities: [...(d.capabilities ?? [])],
      }));
      const caps = new Set(devices.flatMap((d) => d.capabilities));
      const factors = ['push', 'passcode', 'sms', 'phone'].filter((f) => f === 'passcode' || caps.has(f));
      const secret = random(32).toString('base64url');
      const made: Challenge = {
        operatorId: account.id,
        username: account.username,
        duoUsername,
        role,
        ip,
        expiresAt: now() + deps.policy.challengeTtlMs,
        devices,
        factors,
        state: 'choose',
        txid: null,
        factor: null,
        message: 'Choose how to confirm it is you.',
        passcodeFailures: 0,
      };
      return open(secret, made);
    },
    act: (secret, input: SecondStepInput) =>
      withChallenge(secret, async (ch) => {
        if (!ch.factors.includes(input.factor)) {
          ch.message = `${input.factor} is not available for your account.`;
          return view(secret, ch);
        }
        const duo = await duoFor(ch);
        if ('kind' in duo) return duo;
        const device = input.device ?? 'auto';
        try {
          if (input.factor === 'passcode') {
            if (input.passcode === undefined || input.passcode === '') {
              ch.message = 'Enter the passcode.';
              return view(secret, ch);
            }
            const r = await duo.auth.auth(
              {
                username: ch.duoUsername,
                factor: 'passcode',
                passcode: input.passcode,
                ...(ch.ip === null ? {} : { ipaddr: ch.ip }),
              },
              { signal: signal() },
            );
            if (r.result === 'allow') return finish(ch, 'passcode');
            ch.passcodeFailures += 1;
            if (ch.passcodeFailures >= PASSCODE_TRIES) {
              ch.state = 'done';
              return deny('second_factor_denied', 'Too many wrong passcodes; sign in again.');
            }
            ch.message = cleanStatusMsg(r.status_msg) || 'Incorrect passcode.';
            return view(secret, ch);
          }
          if (input.factor === 'sms') {
            const r = await duo.auth.auth(
              { username: ch.duoUsername, factor: 'sms', device },
              { signal: signal() },
            );
            ch.message = `${cleanStatusMsg(r.status_msg) || 'SMS passcodes sent.'} Enter one as a passcode.`;
            return view(secret, ch);
          }
          if (input.factor === 'push') {
            const refused = await pushRefusal(ch);
            if (refused !== null) {
              ch.message = refused;
              return view(secret, ch);
            }
            await challenges.recordPush(ch.operatorId, now());
          } else if (ch.state === 'waiting') {
            ch.message = 'A request is already outstanding; answer it first.';
            return view(secret, ch);
          }
          const { txid } = await duo.auth.authAsync(
            {
              username: ch.duoUsername,
              factor: input.factor,
              device,
              ...(input.factor === 'push'
                ? {
                    type: 'duowatch sign-in',
                    pushinfo: new URLSearchParams({
                      application: 'duowatch',
                      ...(ch.ip === null ? {} : { from: ch.ip }),
                    }).toString(),
                  }
                : {}),
              ...(ch.ip === null ? {} : { ipaddr: ch.ip }),
            },
            { signal: signal() },
          );
          ch.state = 'waiting';
          ch.txid = txid;
          ch.factor = input.factor;
          const first = await duo.auth.authStatus(txid, { signal: signal() });
          return await settle(secret, ch, first, duo.orgId);
        } catch (error) {
          if (duoRefused(error)) {
            // Duo answered and refused this request (no capable device, a bad passcode format…): not an
            // outage, so never a fail-open; the user may choose again.
            ch.state = 'choose';
            ch.txid = null;
            ch.message = `Duo refused that: ${cleanStatusMsg(error.message)}`;
            return view(secret, ch);
          }
          ch.state = 'done';
          return unavailable(ch, error, duo.orgId);
        }
      }),
    poll: (secret, waitMs) =>
      withChallenge(secret, async (ch) => {
        if (ch.state !== 'waiting' || ch.txid === null) return view(secret, ch);
        const duo = await duoFor(ch);
        if ('kind' in duo) return duo;
        try {
          const s = await duo.auth.authStatus(ch.txid, { signal: AbortSignal.timeout(waitMs) });
          return await settle(secret, ch, s, duo.orgId);
        } catch (error) {
          // The long poll ending without news is not an outage: the push is still outstanding.
          if (
            error instanceof Error &&
            (error.name === 'TimeoutError' || (error instanceof DuoApiError && error.kind === 'timeout'))
          )
            return view(secret, ch);
          ch.state = 'done';
          return unavailable(ch, error, duo.orgId);
        }
      }),
    recordSession: (hash, o) => deps.recordSession(hash, o),
  };
  if (universal !== undefined) step.finishRedirect = universal.finish;
  return step;
}
