/**
 * The narrow hook through which a second factor (the verify capability's Duo step, docs/verify.md) joins the
 * sign-in: `serve` fills `secondFactor` in the server options; without it the login is the password alone.
 * The server keeps the cookies, the session and the audit row; the second factor decides.
 */
export interface SecondFactorAccount {
  readonly id: string;
  readonly username: string;
  readonly superadmin: boolean;
  /** The account's roles over every organization (its strongest decides the fail mode). */
  readonly roles: readonly string[];
}

export interface SecondStepDevice {
  readonly device: string;
  readonly name: string;
  readonly capabilities: readonly string[];
}

/** What the waiting screen shows. */
export interface SecondStepView {
  /** `redirect`: send the browser to `redirectUrl` (Duo's Universal Prompt), which comes back to the callback. */
  readonly state: 'choose' | 'waiting' | 'redirect';
  readonly message: string;
  readonly redirectUrl?: string | undefined;
  readonly factors: readonly string[];
  readonly devices: readonly SecondStepDevice[];
}

export type SecondFactorOutcome =
  | {
      readonly kind: 'allow';
      readonly operatorId: string;
      /** False when no second factor was used (exempt, break-glass, Duo bypass, or a fail-open). */
      readonly mfa: boolean;
      readonly factor: string | null;
      readonly reason: string;
    }
  | { readonly kind: 'deny'; readonly code: string; readonly message: string }
  | { readonly kind: 'pending'; readonly challenge: string; readonly view: SecondStepView };

export interface SecondStepInput {
  readonly factor: 'push' | 'passcode' | 'sms' | 'phone';
  readonly device?: string | undefined;
  readonly passcode?: string | undefined;
}

/** The query Duo's Universal Prompt returns with. */
export interface RedirectBack {
  readonly state: string | undefined;
  readonly code: string | undefined;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
}

export interface SecondFactor {
  /** After the password: allow at once, refuse, or open a challenge. */
  begin(account: SecondFactorAccount, ip: string | null): Promise<SecondFactorOutcome>;
  /** The user picked a factor on the waiting screen. */
  act(challenge: string, input: SecondStepInput): Promise<SecondFactorOutcome>;
  /** The waiting screen asks what changed (holds up to `waitMs` while a push or call is outstanding). */
  poll(challenge: string, waitMs: number): Promise<SecondFactorOutcome>;
  /**
   * Duo's Universal Prompt sent the browser back (`state` and `duo_code`, or `error`); present only when the
   * step uses the redirect flow.
   */
  finishRedirect?(challenge: string, back: RedirectBack): Promise<SecondFactorOutcome>;
  /** Records on the new session which factor was used, or that none was and why. */
  recordSession(sessionHash: string, outcome: Extract<SecondFactorOutcome, { kind: 'allow' }>): Promise<void>;
}
