import { EXTENDED_SIGNAL_IDS, type SignalId, type SignalResult, type SignalStatus } from '../shared/index.js';
import { controlsFor } from './controls.js';

/** Percent with two decimals, for display; rules compare integers, never this rounded value. */
export function pct(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 10_000) / 100;
}

/**
 * `part / whole > limitPct %` without floating point: `part * 100 > limitPct * whole`. limitPct may have up to
 * two decimals; both sides are scaled by 100 to stay in integers.
 */
export function overPct(part: number, whole: number, limitPct: number): boolean {
  return part * 10_000 > Math.round(limitPct * 100) * whole;
}

/** `part / whole < limitPct %`, exact. */
export function underPct(part: number, whole: number, limitPct: number): boolean {
  return part * 10_000 < Math.round(limitPct * 100) * whole;
}

const EXTENDED = new Set<string>(EXTENDED_SIGNAL_IDS);

/**
 * Builds the result and applies the one rule every signal shares: a capped, incomplete listing can never
 * be Pass (docs/evidence.md). A Pass computed on partial data becomes Warning; Warning and Fail stand,
 * with a note that the population was incomplete.
 */
export function makeResult(
  id: SignalId,
  status: SignalStatus,
  metrics: Record<string, unknown>,
  notes: string[],
  truncated: boolean,
): SignalResult {
  let finalStatus = status;
  const allNotes = [...notes];
  if (truncated) {
    allNotes.push('Data incomplete: a pagination cap cut the listing short; the status cannot be Pass.');
    if (finalStatus === 'pass') finalStatus = 'warning';
  }
  const c = controlsFor(id);
  return {
    id,
    status: finalStatus,
    metrics,
    controls: {
      names: [...c.names],
      soc2: [...c.soc2],
      iso27001: [...c.iso27001],
      nist80053: [...c.nist80053],
    },
    truncated,
    notes: allNotes,
    extended: EXTENDED.has(id),
  };
}

export function worstStatus(statuses: readonly SignalStatus[]): SignalStatus | null {
  if (statuses.length === 0) return null;
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('warning')) return 'warning';
  return 'pass';
}
