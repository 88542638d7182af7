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
  readonly state: 'choose' | 'waiting';
  readonly message: string;
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

export interface SecondFactor {
  /** After the password: allow at once, refuse, or open a challenge. */
  begin(account: SecondFactorAccount, ip: string | null): Promise<SecondFactorOutcome>;
  /** The user picked a factor on the waiting screen. */
  act(challenge: string, input: SecondStepInput): Promise<SecondFactorOutcome>;
  /** The waiting screen asks what changed (holds up to `waitMs` while a push or call is outstanding). */
  poll(challenge: string, waitMs: number): Promise<SecondFactorOutcome>;
  /** Records on the new session which factor was used, or that none was and why. */
  recordSession(sessionHash: string, outcome: Extract<SecondFactorOutcome, { kind: 'allow' }>): Promise<void>;
}
