import type { LoginThrottleRepository } from '../store/index.js';

/**
 * Login throttling per username and per client IP with exponential lock-outs: after `freeFailures` misses a
 * key is locked for `baseMs·2^(extra misses)`, capped at `maxMs`. A success clears the username's count (not
 * the IP's, so one valid account cannot launder guesses against others). State lives in the store's
 * login_throttle table, so every process sharing the database throttles together.
 */
export interface ThrottleRule {
  freeFailures: number;
  baseMs: number;
  maxMs: number;
}

export interface ThrottleOptions {
  user: ThrottleRule;
  ip: ThrottleRule;
  /** Failures older than this (counted from the first) are forgotten. */
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  user: { freeFailures: 5, baseMs: 1_000, maxMs: 15 * 60_000 },
  ip: { freeFailures: 20, baseMs: 1_000, maxMs: 15 * 60_000 },
  windowMs: 24 * 60 * 60_000,
};

export class LoginThrottle {
  constructor(
    private readonly repo: LoginThrottleRepository,
    private readonly now: () => Date,
    private readonly options: ThrottleOptions = DEFAULT_THROTTLE,
  ) {}

  /** Milliseconds until a login may be tried for this username/IP pair; 0 when allowed. */
  async retryAfterMs(username: string, ip: string): Promise<number> {
    const t = this.now().getTime();
    let wait = 0;
    for (const key of [userKey(username), ipKey(ip)]) {
      const state = await this.repo.get(key);
      if (state?.lockedUntil) wait = Math.max(wait, state.lockedUntil.getTime() - t);
    }
    return wait;
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    await this.#fail(userKey(username), this.options.user);
    await this.#fail(ipKey(ip), this.options.ip);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.repo.clear(userKey(username));
  }

  async #fail(key: string, rule: ThrottleRule): Promise<void> {
    const now = this.now();
    const previous = await this.repo.get(key);
    const fresh = !previous || now.getTime() - previous.firstFailureAt.getTime() > this.options.windowMs;
    const failures = fresh ? 1 : previous.failures + 1;
    const extra = failures - rule.freeFailures;
    const lockedUntil =
      extra >= 0
        ? new Date(now.getTime() + Math.min(rule.maxMs, rule.baseMs * 2 ** Math.min(extra, 30)))
        : null;
    await this.repo.set({
      key,
      failures,
      firstFailureAt: fresh ? now : previous.firstFailureAt,
      lockedUntil,
    });
  }
}

// Usernames are matched case-insensitively here so "Admin" and "admin" share one counter.
const userKey = (username: string): string => `user:${username.trim().toLowerCase()}`;
const ipKey = (ip: string): string => `ip:${ip}`;
