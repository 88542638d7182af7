import type { CollectedEvent } from '../../app/index.js';

/** The factors whose health is followed, and the Duo `factor` values that belong to each. */
export const FACTOR_GROUPS = {
  push: ['duo_push', 'verified_duo_push'],
  phone_call: ['phone_call'],
  sms: ['sms_passcode', 'sms_refresh'],
  passcode: ['passcode', 'duo_mobile_passcode', 'hardware_token', 'yubikey_passcode', 'digipass_go_7_token'],
} as const;
export type FactorGroup = keyof typeof FACTOR_GROUPS;

const GROUP_OF = new Map<string, FactorGroup>(
  Object.entries(FACTOR_GROUPS).flatMap(([g, values]) => values.map((v) => [v, g as FactorGroup] as const)),
);

/**
 * An attempt that failed on Duo's side rather than the user's: `result: error`, or no answer at all
 * (`no_response`: the push, call or SMS never reached the user or timed out). Denials, wrong passcodes and
 * fraud reports are the user's answers and say nothing about the factor's availability.
 */
export function isFactorFailure(raw: Readonly<Record<string, unknown>>): boolean {
  return raw['result'] === 'error' || raw['reason'] === 'no_response' || raw['reason'] === 'call_timed_out';
}

export interface FactorHealthConfig {
  windowMs: number;
  baselineMs: number;
  minAttempts: number;
  errorShare: number;
  baselineFactor: number;
}

export interface FactorReading {
  factor: FactorGroup;
  attempts: number;
  failures: number;
  share: number | null;
  baselineAttempts: number;
  baselineShare: number | null;
  degraded: boolean;
}

const MINUTE = 60_000;

/**
 * Per organization and factor, minute counts of attempts and failures from the collected authentication log;
 * a factor is degraded when, over the sliding window, enough attempts fail at a share above the absolute
 * limit AND above `baselineFactor` times its own share over the preceding baseline period — so a factor that
 * is always a little flaky is not flagged, and "telephony failing alone while push works" is. A baseline of
 * fewer than `minAttempts` attempts is not compared with, and a window where every attempt failed is degraded.
 */
export class FactorHealth {
  readonly #cfg: FactorHealthConfig;
  readonly #counts = new Map<string, Map<number, { attempts: number; failures: number }>>();

  constructor(cfg: FactorHealthConfig) {
    this.#cfg = cfg;
  }

  ingest(events: readonly CollectedEvent[], now: number): void {
    for (const e of events) {
      if (e.stream !== 'auth') continue;
      const factor = e.raw['factor'];
      const group = typeof factor === 'string' ? GROUP_OF.get(factor) : undefined;
      if (group === undefined) continue;
      if (e.ts < now - this.#cfg.baselineMs - this.#cfg.windowMs || e.ts > now + MINUTE) continue;
      const key = `${e.orgId}\u0000${group}`;
      let minutes = this.#counts.get(key);
      if (minutes === undefined) {
        minutes = new Map<number, { attempts: number; failures: number }>();
        this.#counts.set(key, minutes);
      }
      const m = Math.floor(e.ts / MINUTE);
      const c = minutes.get(m) ?? { attempts: 0, failures: 0 };
      c.attempts += 1;
      if (isFactorFailure(e.raw)) c.failures += 1;
      minutes.set(m, c);
    }
    this.#prune(now);
  }

  #prune(now: number): void {
    const oldest = Math.floor((now - this.#cfg.baselineMs - this.#cfg.windowMs) / MINUTE);
    for (const minutes of this.#counts.values())
      for (const m of minutes.keys()) if (m < oldest) minutes.delete(m);
  }

  read(orgId: string, now: number): FactorReading[] {
    const windowStart = Math.floor((now - this.#cfg.windowMs) / MINUTE);
    const baselineStart = Math.floor((now - this.#cfg.windowMs - this.#cfg.baselineMs) / MINUTE);
    const out: FactorReading[] = [];
    for (const factor of Object.keys(FACTOR_GROUPS) as FactorGroup[]) {
      const minutes = this.#counts.get(`${orgId}\u0000${factor}`);
      if (minutes === undefined) continue;
      const w = { attempts: 0, failures: 0 };
      const b = { attempts: 0, failures: 0 };
      for (const [m, c] of minutes) {
        const into = m >= windowStart ? w : m >= baselineStart ? b : null;
        if (into === null) continue;
        into.attempts += c.attempts;
        into.failures += c.failures;
      }
      const share = w.attempts === 0 ? null : w.failures / w.attempts;
      const baselineShare = b.attempts === 0 ? null : b.failures / b.attempts;
      // A baseline of fewer attempts than the window needs says nothing: one unanswered call in three over the
      // last hours put the bar at 100 %, and twelve calls out of twelve failing were not "degraded". And a
      // window where every attempt failed is degraded whatever the baseline: the bar cannot rise above all.
      const bar =
        b.attempts < this.#cfg.minAttempts ? 0 : (b.failures / b.attempts) * this.#cfg.baselineFactor;
      const degraded =
        share !== null &&
        w.attempts >= this.#cfg.minAttempts &&
        share > this.#cfg.errorShare &&
        (share > bar || w.failures === w.attempts);
      out.push({
        factor,
        attempts: w.attempts,
        failures: w.failures,
        share,
        baselineAttempts: b.attempts,
        baselineShare,
        degraded,
      });
    }
    return out;
  }

  /** Sentences for the state machine: one per degraded factor. */
  issues(orgId: string, now: number): string[] {
    const pct = (x: number | null): string => (x === null ? 'no baseline' : `${(x * 100).toFixed(1)} %`);
    return this.read(orgId, now)
      .filter((r) => r.degraded)
      .map(
        (r) =>
          `factor ${r.factor} failing: ${String(r.failures)} of ${String(r.attempts)} attempts (${pct(r.share)}) in the last ${String(Math.round(this.#cfg.windowMs / MINUTE))} min, baseline ${pct(r.baselineShare)}`,
      );
  }
}
