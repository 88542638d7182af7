import type { IntegrationKind } from '../../store/index.js';
import type { PhasesMs } from './phase-observer.js';

/** One probed integration: its keys are in hand only for the duration of the probe. */
export interface ProbeTarget {
  orgId: string;
  integrationId: string;
  kind: IntegrationKind;
  apiHost: string;
  /** The Device API management system key (device integrations only). */
  mkey: string | null;
  ikey: string;
  skey: string;
}

/** What one request of a probe saw. */
export interface ProbeStep {
  ok: boolean;
  /** Whole request, in ms (also when it failed: the time until it failed). */
  ms: number;
  httpStatus: number | null;
  /** Duo's `stat` when a Duo body arrived. */
  stat: 'OK' | 'FAIL' | null;
  /** Duo's error code, or null. */
  code: number | null;
  /** Our error kind (`auth_failed`, `timeout`, `network` …) or null when ok. */
  errorKind: string | null;
  message: string | null;
  phases: PhasesMs;
}

/** Everything one probe learnt; `toScripted` turns it into the public JSON line. */
export interface ProbeOutcome {
  orgId: string;
  integrationId: string;
  kind: IntegrationKind;
  apiHost: string;
  /** The signed request made (`GET /auth/v2/check` …). */
  check: string;
  at: Date;
  ping: ProbeStep;
  signed: ProbeStep;
  /** Server minus our clock, seconds (one decimal); null when no server time arrived. */
  clockSkewS: number | null;
  healthy: boolean;
  reason: string;
}

/** `duowatch health probe --json`: one object per integration, exactly these keys (docs/health.md). */
export interface ScriptedProbe {
  integration: string;
  kind: IntegrationKind;
  ping: { ok: boolean; ms: number };
  signed: { ok: boolean; code: number | null; ms: number };
  phases_ms: PhasesMs;
  clock_skew_s: number | null;
  healthy: boolean;
  reason: string;
}

export function toScripted(o: ProbeOutcome): ScriptedProbe {
  return {
    integration: o.integrationId,
    kind: o.kind,
    ping: { ok: o.ping.ok, ms: o.ping.ms },
    signed: { ok: o.signed.ok, code: o.signed.code, ms: o.signed.ms },
    phases_ms: { ...o.signed.phases },
    clock_skew_s: o.clockSkewS,
    healthy: o.healthy,
    reason: o.reason,
  };
}
