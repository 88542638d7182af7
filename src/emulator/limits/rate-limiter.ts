/**
 * Duo's published rate limits (docs/duo-wire.md §6, a Duo engineer in 2019): per credential and endpoint class,
 * counted over a rolling minute of EMULATOR time, so a test advances the clock instead of sleeping.
 * `tenant_total` is the log-collection seed's 1200 requests/minute per tenant across all credentials.
 */
export type RateClass = 'modify' | 'get_one' | 'page' | 'get_all' | 'logs' | 'auth' | 'tenant_total';

export const DEFAULT_RATE_LIMITS: Readonly<Record<RateClass, number>> = {
  modify: 300,
  get_one: 300,
  page: 200,
  get_all: 40,
  // Authentication, telephony and administrator logs: 2/min. Later reports put v2 auth logs at about 1/min;
  // set `logs: 1` to emulate that.
  logs: 2,
  // Auth API preauth/auth/auth_status/enroll: Duo publishes no number; an assumption (docs/emulator.md),
  // counted per credential like the others, so a runaway push loop meets a 429.
  auth: 300,
  tenant_total: 1200,
};

export interface RateLimitOptions {
  enabled?: boolean;
  /** requests per rolling 60 s, per class */
  limits?: Partial<Record<RateClass, number>>;
  windowMs?: number;
}

export interface RateLimiter {
  /** Records a request and answers whether it is allowed. Rejected requests do not consume the window. */
  take(key: { tenant: string; ikey: string; cls: RateClass | null; scope?: string }, nowMs: number): boolean;
  configure(options: RateLimitOptions): void;
  settings(): { enabled: boolean; limits: Record<RateClass, number>; windowMs: number };
  reset(): void;
}

export function createRateLimiter(initial: RateLimitOptions = {}): RateLimiter {
  let enabled = initial.enabled ?? true;
  let limits: Record<RateClass, number> = { ...DEFAULT_RATE_LIMITS, ...initial.limits };
  let windowMs = initial.windowMs ?? 60_000;
  // Timestamps of accepted requests per bucket, oldest first; pruned on each take.
  const buckets = new Map<string, number[]>();

  const admit = (bucketKey: string, limit: number, nowMs: number): boolean => {
    let times = buckets.get(bucketKey);
    if (times === undefined) {
      times = [];
      buckets.set(bucketKey, times);
    }
    let drop = 0;
    while (drop < times.length && (times[drop] ?? 0) <= nowMs - windowMs) drop++;
    if (drop > 0) times.splice(0, drop);
    // Time moved backwards (clock offset set negative): forget the future.
    while (times.length > 0 && (times[times.length - 1] ?? 0) > nowMs) times.pop();
    return times.length < limit;
  };

  return {
    take(key, nowMs) {
      if (!enabled || key.cls === null) return true;
      const classKey = `${key.tenant}\u0000${key.ikey}\u0000${key.cls}\u0000${key.scope ?? ''}`;
      const tenantKey = `${key.tenant}\u0000*`;
      if (!admit(classKey, limits[key.cls], nowMs) || !admit(tenantKey, limits.tenant_total, nowMs))
        return false;
      buckets.get(classKey)?.push(nowMs);
      buckets.get(tenantKey)?.push(nowMs);
      return true;
    },
    configure(options) {
      if (options.enabled !== undefined) enabled = options.enabled;
      if (options.limits !== undefined) limits = { ...limits, ...options.limits };
      if (options.windowMs !== undefined) windowMs = options.windowMs;
    },
    settings: () => ({ enabled, limits: { ...limits }, windowMs }),
    reset: () => buckets.clear(),
  };
}
