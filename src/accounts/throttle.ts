import type { LoginThrottle as ThrottleState, LoginThrottleRepository } from '../store/index.js';

/**
 * Throttling of password checks (sign-in and password change) with exponential lock-outs: after
 * `freeFailures` attempts a key is locked for `baseMs·2^(extra attempts)`, capped at `maxMs`.
 *
 * The attempt is COUNTED BEFORE the password is checked (`begin`), through the store's compare-and-set, and
 * the lock it would cause is set at once: concurrent guesses cannot all pass a "not locked yet" check
 * before any of them is recorded. A success gives its count back (`succeed`). State lives in the store's
 * login_throttle table, so every process sharing the database throttles together.
 *
 * Which keys an attempt is counted on is the caller's choice (see `loginKeys`): a stranger is counted per
 * username and per client IP; a device that already signed in as that user is counted on its own key only,
 * so a lock strangers put on a username does not keep its owner out (docs/server.md, "Security model").
 */
export interface ThrottleRule {
  freeFailures: number;
  baseMs: number;
  maxMs: number;
}

export interface ThrottleOptions {
  user: ThrottleRule;
  ip: ThrottleRule;
  /** A device that signed in as the user before (the `dw_device` cookie). */
  device: ThrottleRule;
  /** Wrong current passwords on a password change, per operator. */
  passwordChange: ThrottleRule;
  /** Failures older than this (counted from the first) are forgotten. */
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  user: { freeFailures: 5, baseMs: 1_000, maxMs: 15 * 60_000 },
  ip: { freeFailures: 20, baseMs: 1_000, maxMs: 15 * 60_000 },
  device: { freeFailures: 5, baseMs: 1_000, maxMs: 15 * 60_000 },
  passwordChange: { freeFailures: 5, baseMs: 1_000, maxMs: 15 * 60_000 },
  windowMs: 24 * 60 * 60_000,
};

export interface ThrottleKey {
  key: string;
  rule: ThrottleRule;
  /** A success clears the key (username, device, password change) instead of giving one attempt back (IP). */
  clearOnSuccess: boolean;
}

/** An attempt that was counted and may go on to the password check. */
export interface AttemptTicket {
  readonly reserved: ReadonlyArray<{ key: ThrottleKey; failures: number }>;
}

export type BeginResult =
  | { allowed: true; ticket: AttemptTicket }
  | {
      allowed: false;
      retryAfterMs: number;
      /** The refused key; `firstInLock` is true for the first refusal of this lock (audit that one only). */
      key: string;
      firstInLock: boolean;
    };

export class LoginThrottle {
  constructor(
    private readonly repo: LoginThrottleRepository,
    private readonly now: () => Date,
    readonly options: ThrottleOptions = DEFAULT_THROTTLE,
  ) {}

  /** The keys a sign-in is counted on: the device's own when it is known for this user, else user and IP. */
  loginKeys(username: string, ip: string, knownDevice: string | null): ThrottleKey[] {
    if (knownDevice !== null)
      return [{ key: `device:${knownDevice}`, rule: this.options.device, clearOnSuccess: true }];
    // The IP first: a flood from a locked IP is refused before it leaves a row per invented username.
    return [
      { key: `ip:${ip}`, rule: this.options.ip, clearOnSuccess: false },
      { key: userKey(username), rule: this.options.user, clearOnSuccess: true },
    ];
  }

  passwordChangeKeys(operatorId: string): ThrottleKey[] {
    return [{ key: `password:${operatorId}`, rule: this.options.passwordChange, clearOnSuccess: true }];
  }

  /** Counts the attempt on every key, or refuses it (counting nothing) when one of them is locked. */
  async begin(keys: readonly ThrottleKey[]): Promise<BeginResult> {
    const reserved: Array<{ key: ThrottleKey; failures: number }> = [];
    for (const key of keys) {
      const now = this.now();
      const { before, after } = await this.repo.update(key.key, (current) =>
        this.#attempt(key, current, now),
      );
      if (after === undefined || isLocked(before, now)) {
        // Refused: give back what this attempt already counted on the other keys.
        await this.#giveBack(reserved);
        const until = after?.lockedUntil ?? before?.lockedUntil ?? now;
        return {
          allowed: false,
          retryAfterMs: Math.max(1, until.getTime() - now.getTime()),
          key: key.key,
          firstInLock: after?.throttled === 1,
        };
      }
      reserved.push({ key, failures: after.failures });
    }
    return { allowed: true, ticket: { reserved } };
  }

  /** The password was right: usernames, devices and password changes start over; an IP gets its attempt back. */
  async succeed(ticket: AttemptTicket): Promise<void> {
    for (const { key } of ticket.reserved) if (key.clearOnSuccess) await this.repo.clear(key.key);
    await this.#giveBack(ticket.reserved.filter((r) => !r.key.clearOnSuccess));
  }

  /** Nothing to write: `begin` counted the attempt as a failure already. Kept so call sites read plainly. */
  fail(_ticket: AttemptTicket): void {}

  #attempt(key: ThrottleKey, current: ThrottleState | undefined, now: Date): ThrottleState {
    if (current && isLocked(current, now)) return { ...current, throttled: current.throttled + 1 };
    const fresh = !current || now.getTime() - current.firstFailureAt.getTime() > this.options.windowMs;
    const failures = fresh ? 1 : current.failures + 1;
    const extra = failures - key.rule.freeFailures;
    // Locked now, as if this attempt fails: concurrent attempts behind it are refused until it is decided.
    const lockedUntil =
      extra >= 0
        ? new Date(now.getTime() + Math.min(key.rule.maxMs, key.rule.baseMs * 2 ** Math.min(extra, 30)))
        : null;
    return {
      key: key.key,
      failures,
      firstFailureAt: fresh ? now : current.firstFailureAt,
      lockedUntil,
      throttled: 0,
    };
  }

  async #giveBack(reserved: ReadonlyArray<{ key: ThrottleKey; failures: number }>): Promise<void> {
    for (const { key, failures } of reserved) {
      await this.repo.update(key.key, (current) => {
        if (!current || current.failures <= 0) return undefined;
        // The lock this attempt set is lifted only if no attempt was counted after it: a lock was not in
        // force when it began, so lifting restores exactly the state before it.
        const untouched = current.failures === failures;
        return {
          ...current,
          failures: current.failures - 1,
          lockedUntil: untouched ? null : current.lockedUntil,
        };
      });
    }
  }
}

function isLocked(state: ThrottleState | undefined, now: Date): boolean {
  return state?.lockedUntil != null && state.lockedUntil.getTime() > now.getTime();
}

// Usernames are matched case-insensitively here so "Admin" and "admin" share one counter.
const userKey = (username: string): string => `user:${username.trim().toLowerCase()}`;
