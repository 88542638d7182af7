import {
  DuoApiError,
  DuoConfigError,
  LimiterRegistry,
  SkewTracker,
  createRequester,
  systemClock,
  type Clock,
  type DuoReply,
  type DuoRequest,
  type DuoTransportOptions,
} from '../../duo/index.js';
import { stripControl } from '../../shared/index.js';
import type { IntegrationKind } from '../../store/index.js';
import { phasesOf, type PhaseObserver } from './phase-observer.js';
import type { ProbeOutcome, ProbeStep, ProbeTarget } from './probe-types.js';
import { timedDispatcher } from './timed-dispatcher.js';
import type { SecureContexts } from './secure-contexts.js';

/** Clock skew beyond this is reported (and alerted) even though Duo still accepts the signature (300 s). */
export const SKEW_ALERT_S = 30;

export interface ProbeOptions {
  transport: DuoTransportOptions;
  observer: PhaseObserver;
  /** Trust stores shared across probes (one parse of the roots per transport, not per connection). */
  secureContexts?: SecureContexts;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Wall clock for signing and skew (injected in tests). */
  clock?: Clock;
  /** One registry per prober keeps our own request pace per credential. */
  limiter?: LimiterRegistry;
  signal?: AbortSignal;
}

/**
 * The signed request that proves this tenant, these keys and our clock, per integration kind, spending no
 * log budget: `/auth/v2/check` for Auth API keys; for Admin API keys the settings read that Test Connection
 * already requires of every saved integration; the Device API's cache list; the Accounts API's child list.
 */
export function signedCheckFor(kind: IntegrationKind, mkey: string | null): DuoRequest {
  switch (kind) {
    case 'auth':
      return { method: 'GET', path: '/auth/v2/check' };
    case 'admin':
      return { method: 'GET', path: '/admin/v1/settings' };
    case 'device':
      return {
        method: 'GET',
        path: `/device/v1/management_systems/${encodeURIComponent(mkey ?? '')}/device_cache`,
      };
    case 'accounts':
      return { method: 'POST', path: '/accounts/v1/account/list' };
  }
}

const NO_RETRY = { rateLimitDelaysMs: [], jitterMs: 0, transientDelaysMs: [], deadlineMs: 0 };

interface StepResult {
  step: ProbeStep;
  reply: DuoReply | null;
  sentAt: number;
  receivedAt: number;
}

async function timedStep(target: ProbeTarget, req: DuoRequest, options: ProbeOptions): Promise<StepResult> {
  const { observer } = options;
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const td = timedDispatcher(
    options.transport,
    target.apiHost,
    observer,
    options.secureContexts?.for(options.transport),
  );
  const sentAt = clock.now();
  const finish = (partial: Omit<ProbeStep, 'ms' | 'phases'>, reply: DuoReply | null): StepResult => {
    td.timing.endedAt = observer.now();
    const phases = phasesOf(td.timing);
    const timedPhases = td.timed ? phases : { ...phases, dns: null, connect: null, tls: null };
    return {
      step: { ...partial, ms: timedPhases.total ?? 0, phases: timedPhases },
      reply,
      sentAt,
      receivedAt: clock.now(),
    };
  };
  try {
    const request = createRequester({
      credentials: { ikey: target.ikey, skey: target.skey, host: target.apiHost },
      dispatcher: td.agent,
      clock,
      random: () => 0,
      limiter: options.limiter ?? new LimiterRegistry({ clock }),
      skew: new SkewTracker(),
      retry: { ...NO_RETRY, deadlineMs: timeoutMs },
      defaultSigVersion: 5,
      timeoutMs,
      signWithServerTime: false,
    });
    const reply = await request({
      ...req,
      timeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return finish(
      { ok: true, httpStatus: reply.status, stat: 'OK', code: null, errorKind: null, message: null },
      reply,
    );
  } catch (error) {
    if (error instanceof DuoApiError) {
      return finish(
        {
          ok: false,
          httpStatus: error.httpStatus ?? null,
          stat: error.duoCode === undefined ? null : 'FAIL',
          code: error.duoCode ?? null,
          errorKind: error.kind,
          message: stripControl(error.message),
        },
        null,
      );
    }
    if (error instanceof DuoConfigError) {
      return finish(
        {
          ok: false,
          httpStatus: null,
          stat: null,
          code: null,
          errorKind: error.code,
          message: stripControl(error.message),
        },
        null,
      );
    }
    throw error;
  } finally {
    await td.agent.destroy().catch(() => undefined);
  }
}

function skewFrom(r: StepResult, bodyTimeS: number | undefined): number | null {
  // Both Duo's ping `time` and the Date header have one-second resolution: compare against the request's
  // midpoint, plus half a second, so the expected error is centred on zero (as the client's SkewTracker).
  const serverMs = bodyTimeS !== undefined ? bodyTimeS * 1000 : r.reply?.serverDate;
  if (serverMs === undefined) return null;
  const local = r.sentAt + (r.receivedAt - r.sentAt) / 2;
  return Math.round((serverMs + 500 - local) / 100) / 10;
}

function pingTime(reply: DuoReply | null): number | undefined {
  const response = reply?.response as { time?: unknown } | undefined;
  return typeof response?.time === 'number' ? response.time : undefined;
}

function describeFailure(step: ProbeStep): string {
  const parts = [step.errorKind ?? 'failed'];
  if (step.httpStatus !== null) parts.push(`HTTP ${String(step.httpStatus)}`);
  if (step.code !== null) parts.push(`code ${String(step.code)}`);
  return `${parts.join(', ')}${step.message === null ? '' : `: ${step.message}`}`;
}

/**
 * Probes one integration now: the unsigned `/auth/v2/ping` (answers for any hostname, so it proves only that
 * something answers) and the kind's signed check (proves tenant, keys and clock), each on a fresh connection.
 * `healthy` requires the signed check; a ping that answers while the check fails is reported as exactly that.
 */
export async function probeIntegration(target: ProbeTarget, options: ProbeOptions): Promise<ProbeOutcome> {
  const at = new Date((options.clock ?? systemClock).now());
  const check = signedCheckFor(target.kind, target.mkey);
  const ping = await timedStep(target, { method: 'GET', path: '/auth/v2/ping', unsigned: true }, options);
  const signed =
    target.kind === 'device' && (target.mkey ?? '') === '' ? null : await timedStep(target, check, options);
  const signedStep: ProbeStep = signed?.step ?? {
    ok: false,
    ms: 0,
    httpStatus: null,
    stat: null,
    code: null,
    errorKind: 'no_mkey',
    message: 'the Device API integration has no management system key (mkey) to check',
    phases: { dns: null, connect: null, tls: null, ttfb: null, total: null },
  };
  const clockSkewS =
    (signed?.reply !== null && signed !== null ? skewFrom(signed, undefined) : null) ??
    skewFrom(ping, pingTime(ping.reply));
  const healthy = ping.step.ok && signedStep.ok;
  let reason: string;
  if (healthy) {
    reason =
      clockSkewS !== null && Math.abs(clockSkewS) > SKEW_ALERT_S
        ? `ok, but our clock differs from Duo's by ${String(clockSkewS)} s (alert above ${String(SKEW_ALERT_S)} s)`
        : 'ok';
  } else if (ping.step.ok) {
    reason = `ping answers but the signed ${check.method} ${check.path.replace(/management_systems\/[^/]+/, 'management_systems/…')} failed (${describeFailure(signedStep)})`;
  } else if (signedStep.ok) {
    reason = `the signed check passed but ping failed (${describeFailure(ping.step)})`;
  } else {
    reason = `unreachable: ${describeFailure(signedStep)}`;
  }
  return {
    orgId: target.orgId,
    integrationId: target.integrationId,
    kind: target.kind,
    apiHost: target.apiHost,
    check: `${check.method} ${check.path}`,
    at,
    ping: ping.step,
    signed: signedStep,
    clockSkewS,
    healthy,
    reason,
  };
}
