import type { SinkEvent } from './types.js';

/** Reading Duo's loosely typed event objects without `any`. */
export type Obj = Readonly<Record<string, unknown>>;

export function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function at(root: unknown, ...path: string[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    const o = obj(cur);
    if (o === undefined) return undefined;
    cur = o[key];
  }
  return cur;
}

/** The string at a path, or undefined when missing, empty or not a scalar. */
export function sAt(root: unknown, ...path: string[]): string | undefined {
  return str(at(root, ...path));
}

/**
 * Splits Duo's `ip` values, which may carry a port (`203.0.113.7:51432`, `[2001:db8::1]:443`), the way Elastic's
 * cisco_duo pipeline does, so `source.ip` is an address Elasticsearch's `ip` type accepts.
 */
export function splitIpPort(value: string | undefined): { ip?: string; port?: number } {
  if (value === undefined) return {};
  // Most addresses carry no port: both patterns need a `:`, so skip them (twice per auth event on the hot path).
  if (!value.includes(':')) return { ip: value };
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(value);
  if (v4) return { ip: v4[1]!, port: Number(v4[2]) };
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(value);
  if (v6) return { ip: v6[1]!, port: Number(v6[2]) };
  return { ip: value };
}

/** Activity v2's `action` is `{name, details}` in Elastic's samples and a string in Duo's client docs. */
export function activityActionName(raw: Obj): string | undefined {
  return str(raw.action) ?? sAt(raw, 'action', 'name');
}

/** Activity v2's `outcome` is `{result}` (SUCCESS/FAILURE) in the samples, a string elsewhere. */
export function activityOutcome(raw: Obj): string | undefined {
  return str(raw.outcome) ?? sAt(raw, 'outcome', 'result');
}

/** Admin actions Elastic's mapping counts as failures. */
export const ADMIN_FAILURE_ACTIONS: ReadonlySet<string> = new Set([
  'ad_sync_failed',
  'admin_2fa_error',
  'admin_login_error',
  'azure_sync_fail',
  'openldap_sync_failed',
  'adminapi_request_ip_denied',
]);

/**
 * A severity per event, 0–10 as CEF counts (ECS `event.severity` and syslog severities derive from it):
 * fraud and Trust Monitor priority events high, failures medium, routine successes low.
 */
export function severityOf(event: SinkEvent): number {
  const raw = event.raw;
  switch (event.stream) {
    case 'auth': {
      const result = sAt(raw, 'result');
      if (result === 'fraud') return 9;
      if (result === 'error') return 6;
      if (result === 'denied' || result === 'failure') return sAt(raw, 'reason') === 'locked_out' ? 7 : 5;
      return 3;
    }
    case 'admin': {
      const action = sAt(raw, 'action') ?? '';
      if (ADMIN_FAILURE_ACTIONS.has(action)) return 6;
      if (/integration_skey_view|bypass_create|admin_create|admin_delete|admin_update/.test(action)) return 5;
      if (action.includes('delete')) return 4;
      return 3;
    }
    case 'trust_monitor':
      return at(raw, 'priority_event') === true ? 8 : 6;
    case 'activity': {
      const outcome = (activityOutcome(raw) ?? '').toUpperCase();
      return outcome === 'FAILURE' ? 5 : 3;
    }
    case 'telephony':
      return 2;
    case 'offline_enrollment':
      return 3;
    case 'alerts':
      return ALERT_SEVERITY[sAt(raw, 'severity') ?? ''] ?? 5;
  }
}

/** duowatch alert severities on the same 0–10 scale (as the ECS alert mapping counts them). */
const ALERT_SEVERITY: Readonly<Record<string, number>> = { low: 3, medium: 5, high: 8, critical: 10 };
