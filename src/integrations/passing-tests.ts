import { createHash } from 'node:crypto';
import type { NewIntegration, TestReport } from './types.js';

/**
 * "Test connection" then "Test and save" on the same candidate: Duo allows about one log read a minute, so
 * the save reuses a *passing* report of the identical candidate from the last minute instead of waiting for
 * the budget. Failures are never reused (the person may have just fixed a grant in Duo).
 */
export class PassingTests {
  readonly #reports = new Map<string, { report: TestReport; at: number }>();

  constructor(
    private readonly now: () => number,
    private readonly reuseMs = 60_000,
  ) {}

  /** A passing report of this exact candidate from the last `reuseMs`, if any. */
  recent(c: NewIntegration): TestReport | undefined {
    const now = this.now();
    for (const [k, v] of this.#reports) if (now - v.at > this.reuseMs) this.#reports.delete(k);
    return this.#reports.get(keyOf(c))?.report;
  }

  remember(c: NewIntegration, report: TestReport): void {
    if (report.ok) this.#reports.set(keyOf(c), { report, at: this.now() });
  }
}

/** A digest, so the map never holds a secret key in clear. */
function keyOf(c: NewIntegration): string {
  return createHash('sha256')
    .update([c.kind, c.apiHost, c.ikey, c.skey, c.mkey ?? ''].join('\0'))
    .digest('hex');
}
