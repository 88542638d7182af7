/**
 * Login throttling per username and per client IP with exponential lock-outs: after `freeFailures` misses a
 * key is locked for `baseMs·2^(extra misses)`, capped at `maxMs`. A success clears the username's count (not
 * the IP's, so one valid account cannot launder guesses against others). Kept per app instance, in memory,
 * bounded: a multi-process deployment throttles per process (documented in docs/server.md).
 */
export interface ThrottleRule {
  freeFailures: number;
  baseMs: number;
  maxMs: number;
}

export interface ThrottleOptions {
  user: ThrottleRule;
  ip: ThrottleRule;
  /** Entries kept at most; the oldest are dropped first. */
  maxEntries: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  user: { freeFailures: 5, baseMs: 1_000, maxMs: 15 * 60_000 },
  ip: { freeFailures: 20, baseMs: 1_000, maxMs: 15 * 60_000 },
  maxEntries: 10_000,
  windowMs: 24 * 60 * 60_000,
};

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export class LoginThrottle {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly options: ThrottleOptions = DEFAULT_THROTTLE,
  ) {}

  /** Milliseconds until a login may be tried for this username/IP pair; 0 when allowed. */
  retryAfterMs(username: string, ip: string): number {
    const t = this.now();
    return Math.max(
      0,
      ...[this.#get(userKey(username), t), this.#get(ipKey(ip), t)].map((e) => (e ? e.lockedUntil - t : 0)),
    );
  }

  recordFailure(username: string, ip: string): void {
    const t = this.now();
    this.#fail(userKey(username), this.options.user, t);
    this.#fail(ipKey(ip), this.options.ip, t);
  }

  recordSuccess(username: string): void {
    this.#entries.delete(userKey(username));
  }

  #get(key: string, t: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && t - entry.lastFailure > this.options.windowMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #fail(key: string, rule: ThrottleRule, t: number): void {
    const entry = this.#get(key, t) ?? { failures: 0, lockedUntil: 0, lastFailure: t };
    entry.failures += 1;
    entry.lastFailure = t;
    const extra = entry.failures - rule.freeFailures;
    if (extra >= 0) entry.lockedUntil = t + Math.min(rule.maxMs, rule.baseMs * 2 ** Math.min(extra, 30));
    // Re-insert so Map order is least-recently-failed first, then trim the oldest.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
}

const userKey = (username: string): string => `u:${username.trim().toLowerCase()}`;
const ipKey = (ip: string): string => `ip:${ip}`;
