/**
 * Latency histogram with fixed, log-spaced upper bounds (ms). Buckets store counts per bin, so percentiles
 * over 24 h / 7 d / 30 d come from merged bins: exact to within one bin (about ±12 %), bounded in size.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500,
  10_000, 20_000, 60_000,
];

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
}

export function binOf(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((b) => ms <= b);
  return i < 0 ? LATENCY_BOUNDS_MS.length : i;
}

export function addToHistogram(hist: number[], ms: number): void {
  const i = binOf(ms);
  hist[i] = (hist[i] ?? 0) + 1;
}

export function mergeHistograms(into: number[], from: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/** The upper bound of the bin holding the q-quantile (q in 0..1); null when empty. */
export function histogramQuantile(hist: readonly number[], q: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] ?? 0;
    if (seen >= rank) return LATENCY_BOUNDS_MS[i] ?? Infinity;
  }
  return null;
}

/** Exact nearest-rank percentile of raw samples (the p95 the state machine compares with its threshold). */
export function percentile(samples: readonly number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}
