import type { SignalId, SignalRecord, SignalResult } from '../shared/index.js';
import { classifyFailure, type FailureClass } from './credential-health.js';
import type { CredentialHealth, DuoErrorLike } from './ports.js';

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

/** The run's results as records: where (the org's id, the integration) and when; no run id is kept yet. */
export function recordsFrom(
  results: readonly SignalResult[],
  ctx: { org: string; integration: string },
  startedAt: number,
  finishedAt: number,
): SignalRecord<SignalId>[] {
  return results.map((r) => ({
    ...r,
    orgId: ctx.org,
    integrationId: ctx.integration,
    runId: null,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
  }));
}
