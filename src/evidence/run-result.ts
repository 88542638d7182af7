import { classifyFailure, type FailureClass } from './credential-health.js';
import type { CredentialHealth, DuoErrorLike, EvidenceRecord } from './ports.js';
import type { SignalResult } from './types.js';

export interface RunErrorSummary {
  /** What we were reading: `users`, `admins`, `policies`, `settings`, `bypassCodes`, `authLogs`. */
  source: string;
  class: FailureClass;
  kind: string | null;
  code: number | null;
  message: string;
}

export interface RunFailure {
  class: FailureClass;
  error: unknown;
  summary: RunErrorSummary;
}

/** The output of a run; `{org, signals}` is the shape the CLI and API print (docs/evidence.md). */
export interface EvidenceRunResult {
  org: string;
  integration: string;
  outcome: 'ok' | 'partial' | 'failed' | 'skipped';
  signals: SignalResult[];
  extended: SignalResult[];
  error: RunErrorSummary | null;
  health: CredentialHealth | null;
}

export function failureOf(source: string, error: unknown): RunFailure {
  const e = (error ?? {}) as DuoErrorLike;
  const cls = classifyFailure(error);
  return {
    class: cls,
    error,
    summary: {
      source,
      class: cls,
      kind: typeof e.kind === 'string' ? e.kind : null,
      code: typeof e.duoCode === 'number' ? e.duoCode : null,
      message: error instanceof Error ? error.message.slice(0, 500) : 'unknown error',
    },
  };
}

export function recordsFrom(
  results: readonly SignalResult[],
  ctx: { org: string; integration: string },
  runKind: EvidenceRecord['runKind'],
  startedAt: number,
  finishedAt: number,
): EvidenceRecord[] {
  return results.map((r) => ({
    org: ctx.org,
    integration: ctx.integration,
    signalId: r.id,
    status: r.status,
    metrics: r.metrics,
    controls: r.controls,
    truncated: r.truncated,
    notes: r.notes,
    extended: r.extended,
    runKind,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - startedAt,
  }));
}
