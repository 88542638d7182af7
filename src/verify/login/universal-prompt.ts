/**
 * Duo's Universal Prompt as the second step (`verify.login.method: universal`, docs/verify.md "Universal
 * Prompt (OIDC) instead of the Auth API screen"): Duo's health check first, then a pending sign-in holding a
 * fresh state and nonce, answered with the URL the browser goes to; on the way back, the state must match and
 * the code is exchanged for an ID token naming the user. The pending sign-in lives in the same challenge store
 * as the Auth API's (second-step.ts), so a restart or a second process finishes it too.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SecondFactor, SecondFactorAccount, SecondFactorOutcome } from '../../accounts/index.js';
import { cleanStatusMsg } from '../advice.js';
import type { UniversalClient } from '../universal/client.js';
import { UniversalError } from '../universal/id-token.js';
import type { Challenge } from './challenge-store.js';

/** The Universal Prompt's client, with the organization whose fail-mode policy applies when Duo is down. */
export interface UniversalPrompt {
  client: UniversalClient;
  orgId: () => Promise<string | null>;
}

/** Who is signing in, as the fail-mode policy sees them. */
export interface Asker {
  operatorId: string;
  username: string;
  role: string;
  ip: string | null;
}

/** What the Universal Prompt shares with the Auth API step (second-step.ts): clock, store, audit, outcomes. */
export interface StepKit {
  now: () => number;
  /** A fresh random bearer value. */
  secret: () => string;
  duoUsername: (username: string) => string;
  challengeTtlMs: number;
  audit: (entry: { action: string; target: string; details: Record<string, unknown> }) => Promise<void>;
  deny: (code: string, message: string) => SecondFactorOutcome;
  /** Stores a new pending sign-in under `secret` and answers its view. */
  open: (secret: string, ch: Challenge) => Promise<SecondFactorOutcome>;
  /** Loads a pending sign-in, lets `step` move it, and writes it back (one finish per challenge). */
  withChallenge: (
    secret: string,
    step: (ch: Challenge) => Promise<SecondFactorOutcome>,
  ) => Promise<SecondFactorOutcome>;
  /** Duo could not answer: the fail-mode policy decides. */
  unavailable: (a: Asker, error: unknown, orgId: string | null) => Promise<SecondFactorOutcome>;
}

/** Equal texts in constant time (the state is a bearer value). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function universalPrompt(
  u: UniversalPrompt,
  kit: StepKit,
): {
  begin(account: SecondFactorAccount, a: Asker): Promise<SecondFactorOutcome>;
  finish: NonNullable<SecondFactor['finishRedirect']>;
} {
  const { now, deny } = kit;
  return {
    async begin(account, a) {
      const orgId = await u.orgId();
      try {
        await u.client.healthCheck();
      } catch (error) {
        if (error instanceof UniversalError) {
          await kit.audit({
            action: 'session.second_factor',
            target: account.username,
            details: {
              outcome: 'failure',
              method: 'universal',
              why: error.code,
              error: cleanStatusMsg(error.message),
            },
          });
          return deny('second_factor_refused', `${cleanStatusMsg(error.message)}; sign-in refused.`);
        }
        return kit.unavailable(a, error, orgId);
      }
      const duoUsername = kit.duoUsername(account.username);
      const secret = kit.secret();
      const state = kit.secret();
      const nonce = kit.secret();
      return kit.open(secret, {
        operatorId: account.id,
        username: account.username,
        duoUsername,
        role: a.role,
        ip: a.ip,
        expiresAt: now() + kit.challengeTtlMs,
        devices: [],
        factors: [],
        state: 'choose',
        txid: null,
        factor: null,
        message: 'Continue to Duo to confirm it is you.',
        passcodeFailures: 0,
        oidc: { state, nonce, redirectUrl: u.client.authUrl(duoUsername, state, nonce) },
      });
    },
    finish: (secret, back) =>
      kit.withChallenge(secret, async (ch) => {
        // Whatever happens next, this pending sign-in is spent: a state is good for one return only.
        ch.state = 'done';
        const refuse = async (code: string, why: string, message: string): Promise<SecondFactorOutcome> => {
          await kit.audit({
            action: 'session.second_factor',
            target: ch.username,
            details: { outcome: 'failure', method: 'universal', why },
          });
          return deny(code, message);
        };
        if (ch.oidc === undefined || back.state === undefined || !sameText(back.state, ch.oidc.state))
          return refuse(
            'second_factor_state',
            'universal_state',
            'This Duo answer is not for this sign-in; sign in again.',
          );
        if (back.error !== undefined)
          return refuse(
            'second_factor_denied',
            'universal_denied',
            cleanStatusMsg(back.errorDescription) || 'Duo denied the sign-in.',
          );
        if (back.code === undefined || back.code === '')
          return refuse('second_factor_state', 'universal_no_code', 'Duo sent no code; sign in again.');
        try {
          await u.client.exchange(back.code, { nonce: ch.oidc.nonce, duoUsername: ch.duoUsername });
        } catch (error) {
          if (error instanceof UniversalError)
            return refuse('second_factor_refused', error.code, `Duo's answer was refused: ${error.message}`);
          return kit.unavailable(ch, error, await u.orgId());
        }
        return {
          kind: 'allow',
          operatorId: ch.operatorId,
          mfa: true,
          factor: 'universal',
          reason: 'Duo Universal Prompt',
        };
      }),
  };
}
