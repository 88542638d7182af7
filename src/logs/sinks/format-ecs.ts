import type { AlertEvent, SinkEvent } from './types.js';
import {
  ADMIN_FAILURE_ACTIONS,
  activityActionName,
  activityOutcome,
  at,
  obj,
  sAt,
  severityOf,
  splitIpPort,
  str,
} from './event-fields.js';
import type { Obj } from './event-fields.js';
import { enrichEcs } from '../enrich.js';

/** The ECS version our documents follow (the one Elastic's cisco_duo package declares). */
export const ECS_VERSION = '8.11.0';

type Doc = Record<string, unknown>;

/**
 * The `cisco_duo` dataset an event belongs to, as Elastic names its data streams. Telephony v2 records carry a
 * `telephony_id`; v1 records do not and keep the legacy dataset name.
 */
export function ecsDataset(event: SinkEvent): string {
  if (event.stream === 'alerts') return 'duowatch_alert';
  if (event.stream === 'telephony') {
    return at(event.raw, 'telephony_id') !== undefined || typeof at(event.raw, 'ts') === 'string'
      ? 'telephony_v2'
      : 'telephony';
  }
  return event.stream;
}

/**
 * Drops null, empty strings, empty arrays and empty objects, recursively (as Elastic's pipelines do). A
 * subtree with nothing to drop is returned as it is, not copied: this runs over every field of every ECS
 * document, and most of Duo's nested objects are already clean.
 */
export function dropEmpty(value: unknown): unknown {
  return kept(value);
}

/**
 * What dropEmpty keeps of one value. Scalars are answered here without a further call, and objects are walked
 * with `for…in` rather than `Object.keys` (no key array per object): this is the ECS path's hottest loop.
 */
function kept(v: unknown): unknown {
  if (v === null || v === '') return undefined;
  if (typeof v !== 'object') return v;
  return Array.isArray(v) ? keptArray(v as unknown[]) : keptObject(v as Doc);
}

function keptArray(value: unknown[]): unknown[] | undefined {
  let out: unknown[] | null = null;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    const k = kept(v);
    if (k !== v && out === null) out = value.slice(0, i);
    if (out !== null && k !== undefined) out.push(k);
  }
  const result = out ?? value;
  return result.length === 0 ? undefined : result;
}

function keptObject(obj: Doc): Doc | undefined {
  let out: Doc | null = null;
  let any = false;
  for (const key in obj) {
    const v = obj[key];
    const k = kept(v);
    if (k !== v && out === null) {
      // The first change: copy the keys before this one (all kept unchanged), then continue into the copy.
      out = {};
      for (const before in obj) {
        if (before === key) break;
        out[before] = obj[before];
      }
    }
    if (k !== undefined) {
      any = true;
      if (out !== null) out[key] = k;
    }
  }
  return any ? (out ?? obj) : undefined;
}

/**
 * A copy of `raw` without `keys`. Built key by key: `delete` would turn the copy into a slow dictionary object.
 * Callers add their fields to this copy (`Object.assign`) rather than spreading it into another one.
 */
function without(raw: Obj, ...keys: string[]): Doc {
  const out: Doc = {};
  for (const k in raw) if (!keys.includes(k)) out[k] = raw[k];
  return out;
}

function unique(values: ReadonlyArray<string | undefined>): string[] {
  // Two or three values at most: a scan is cheaper than a Set.
  const out: string[] = [];
  for (const v of values) if (v !== undefined && !out.includes(v)) out.push(v);
  return out;
}

/** Duo sometimes sends JSON inside a string (`description`, activity `details`): the object when it is one. */
function parseJsonObject(value: unknown): Obj | undefined {
  if (typeof value !== 'string' || !value.startsWith('{')) return obj(value);
  try {
    return obj(JSON.parse(value));
  } catch {
    return undefined;
  }
}

function userAgent(device: unknown): Doc {
  return {
    name: sAt(device, 'browser'),
    version: sAt(device, 'browser_version'),
    os: { name: sAt(device, 'os'), version: sAt(device, 'os_version') },
  };
}

function withIpSplit(device: unknown): Doc | undefined {
  const d = obj(device);
  if (!d) return undefined;
  const { ip, port } = splitIpPort(str(d.ip));
  return { ...d, ip, port: port ?? d.port };
}

function mapAuth(raw: Obj): { ecs: Doc; vendor: Doc } {
  const access = withIpSplit(raw.access_device);
  const authDevice = withIpSplit(raw.auth_device);
  const hostname = sAt(raw, 'access_device', 'hostname');
  const user = { name: sAt(raw, 'user', 'name'), id: sAt(raw, 'user', 'key'), email: sAt(raw, 'email') };
  const groups = at(raw, 'user', 'groups');
  const sourceIp = str(access?.ip);
  return {
    ecs: {
      event: {
        category: ['authentication'],
        type: ['info'],
        outcome: sAt(raw, 'result') === 'success' ? 'success' : 'failure',
        reason: sAt(raw, 'reason'),
      },
      source: {
        address: hostname ?? sAt(raw, 'access_device', 'ip'),
        ip: sourceIp,
        port: access?.port,
        user: { ...user, group: { name: Array.isArray(groups) ? groups : undefined } },
      },
      user,
      user_agent: userAgent(raw.access_device),
      related: {
        ip: unique([sourceIp, str(authDevice?.ip)]),
        user: unique([user.name]),
        hosts: unique([hostname]),
      },
    },
    vendor: Object.assign(without(raw, 'timestamp', 'isotimestamp', 'user', 'email'), {
      email: sAt(raw, 'email'),
      access_device: access,
      auth_device: authDevice,
    }),
  };
}

function adminTypes(action: string): string[] {
  const types: string[] = [];
  if (/^(admin_|adminapi_|activation_)/.test(action)) types.push('admin');
  if (/^(group_|integration_group_policy_|policy_)/.test(action)) types.push('group');
  if (/^(user_|phone_|bypass_)/.test(action) || /_by_user_/.test(action)) types.push('user');
  if (action.includes('create')) types.push('creation');
  if (action.includes('update')) types.push('change');
  if (action.includes('delete')) types.push('deletion');
  return types.length === 0 ? ['info'] : types;
}

function mapAdmin(raw: Obj): { ecs: Doc; vendor: Doc } {
  const action = sAt(raw, 'action') ?? '';
  const description = str(raw.description);
  const flattened = parseJsonObject(raw.description);
  const iam = /^(admin_|adminapi_|bypass_|phone_|group_|user_)/.test(action);
  const username = sAt(raw, 'username');
  return {
    ecs: {
      message: flattened ? undefined : description,
      event: {
        action,
        category: iam ? ['iam'] : undefined,
        type: adminTypes(action),
        outcome: ADMIN_FAILURE_ACTIONS.has(action) ? 'failure' : 'success',
        reason: flattened ? undefined : description,
      },
      user: {
        name: username,
        email: action === 'admin_self_activate' ? sAt(flattened, 'email') : undefined,
        target: { name: sAt(raw, 'object') },
        changes:
          action === 'user_update'
            ? { name: sAt(flattened, 'realname'), email: sAt(flattened, 'email') }
            : undefined,
      },
      source: { ip: sAt(flattened, 'ip_address') },
      related: { user: unique([username]), ip: unique([sAt(flattened, 'ip_address')]) },
    },
    vendor: Object.assign(without(raw, 'timestamp', 'isotimestamp', 'username', 'object', 'description'), {
      user: { name: username },
      action_performed_on: sAt(raw, 'object'),
      description: flattened ? undefined : description,
      flattened,
      errors: at(flattened, 'Errors'),
      status: at(flattened, 'status'),
    }),
  };
}

function mapTelephony(raw: Obj): { ecs: Doc; vendor: Doc } {
  return {
    ecs: { event: { action: sAt(raw, 'type'), type: ['info'] } },
    vendor: without(raw, 'ts', 'timestamp', 'isotimestamp'),
  };
}

function withDetails(value: unknown): Doc | undefined {
  const o = obj(value);
  if (!o) return undefined;
  return { ...o, details: parseJsonObject(o.details) ?? o.details };
}

function mapActivity(raw: Obj): { ecs: Doc; vendor: Doc } {
  const device = obj(raw.access_device);
  // v2 nests the address (`ip: {address}`); accept a plain string too.
  const ip = sAt(device, 'ip', 'address') ?? splitIpPort(sAt(device, 'ip')).ip;
  const actorName = at(raw, 'actor', 'type') === 'user' ? sAt(raw, 'actor', 'name') : undefined;
  const outcome = activityOutcome(raw)?.toUpperCase();
  const actionObj = obj(raw.action);
  const action = activityActionName(raw);
  return {
    ecs: {
      event: {
        action,
        outcome: outcome === 'SUCCESS' ? 'success' : outcome === 'FAILURE' ? 'failure' : undefined,
        type: ['info'],
      },
      source: { ip },
      user: { name: actorName },
      user_agent: userAgent(device),
      related: { user: unique([actorName]), ip: unique([ip]) },
    },
    vendor: Object.assign(without(raw, 'ts', 'activity_id', 'action', 'outcome'), {
      id: sAt(raw, 'activity_id'),
      // One shape in the index whichever Duo sent: {name, details}.
      action: actionObj
        ? { ...actionObj, details: parseJsonObject(actionObj.details) ?? actionObj.details }
        : { name: action },
      outcome,
      actor: withDetails(raw.actor),
      target: withDetails(raw.target),
      old_target: withDetails(raw.old_target),
    }),
  };
}

function mapTrustMonitor(raw: Obj): { ecs: Doc; vendor: Doc } {
  const uri = sAt(raw, 'triage_event_uri');
  let url: Doc | undefined;
  if (uri !== undefined) {
    try {
      const u = new URL(uri);
      url = { original: uri, scheme: u.protocol.replace(/:$/, ''), domain: u.hostname, path: u.pathname };
    } catch {
      url = { original: uri };
    }
  }
  const user = sAt(raw, 'surfaced_auth', 'user', 'name');
  const ip = splitIpPort(sAt(raw, 'surfaced_auth', 'access_device', 'ip')).ip;
  return {
    ecs: {
      event: { action: sAt(raw, 'type'), type: ['info'] },
      url,
      user: { name: user },
      source: { ip },
      related: { user: unique([user]), ip: unique([ip]) },
    },
    vendor: without(raw, 'surfaced_timestamp'),
  };
}

function mapOfflineEnrollment(raw: Obj): { ecs: Doc; vendor: Doc } {
  const details = parseJsonObject(raw.description);
  const username = sAt(raw, 'username');
  return {
    ecs: {
      event: { action: sAt(raw, 'action'), category: ['iam'], type: ['info'] },
      user: { name: username },
      host: { hostname: sAt(details, 'hostname') },
      user_agent: { original: sAt(details, 'user_agent') },
      related: { user: unique([username]), hosts: unique([sAt(details, 'hostname')]) },
    },
    vendor: Object.assign(without(raw, 'timestamp', 'isotimestamp', 'description', 'username'), {
      user: { name: username },
      description: details ?? str(raw.description),
    }),
  };
}

const mappers: Record<Exclude<SinkEvent['stream'], 'alerts'>, (raw: Obj) => { ecs: Doc; vendor: Doc }> = {
  auth: mapAuth,
  admin: mapAdmin,
  telephony: mapTelephony,
  activity: mapActivity,
  trust_monitor: mapTrustMonitor,
  offline_enrollment: mapOfflineEnrollment,
};

/**
 * One collected event as an ECS document (docs/log-sinks.md, "ECS"): Elastic's cisco_duo field mapping, vendor
 * fields under `cisco_duo.<dataset>.*`, our deterministic id in `event.id`, empty values dropped.
 */
export function formatEcs(event: SinkEvent): Doc {
  if (event.stream === 'alerts') return formatEcsAlert(event);
  const dataset = ecsDataset(event);
  const { ecs, vendor } = mappers[event.stream](event.raw);
  const eventFields = ecs.event;
  const doc: Doc = {
    '@timestamp': new Date(event.ts).toISOString(),
    ecs: { version: ECS_VERSION },
    data_stream: { type: 'logs', dataset: `cisco_duo.${dataset}` },
    event: {
      id: event.id,
      kind: 'event',
      module: 'cisco_duo',
      dataset: `cisco_duo.${dataset}`,
      severity: severityOf(event),
      ...obj(eventFields),
    },
    organization: { id: event.orgId, name: event.orgSlug },
    observer: { vendor: 'Cisco', product: 'Duo', type: 'mfa' },
  };
  // The mapping's other top-level fields, in its order (no rest copy on this hot path).
  for (const k in ecs) if (k !== 'event') doc[k] = ecs[k];
  doc['cisco_duo'] = { [dataset]: vendor };
  doc['duowatch'] = { stream: event.stream, org: event.orgSlug };
  if (event.enrichment !== undefined) enrichEcs(doc, event.enrichment);
  return (dropEmpty(doc) as Doc | undefined) ?? {};
}

const alertSeverity: Readonly<Record<string, number>> = { low: 3, medium: 5, high: 8, critical: 10 };

/**
 * One change of a duowatch alert (detections, health, sinks) as an ECS document with `event.kind: alert` and
 * the change in `event.action` (docs/logs.md, "Alerts on the sinks"). Read from the raw JSON only, so a batch
 * that waited in a spill queue (JSON on disk) formats the same.
 */
export function formatEcsAlert(event: AlertEvent): Doc {
  const raw = event.raw;
  const change = obj(raw['change']);
  const severity = sAt(raw, 'severity') ?? '';
  const doc: Doc = {
    '@timestamp': new Date(event.ts).toISOString(),
    ecs: { version: ECS_VERSION },
    data_stream: { type: 'logs', dataset: 'duowatch.alert' },
    event: {
      id: event.id,
      kind: 'alert',
      module: 'duowatch',
      dataset: 'duowatch.alert',
      action: sAt(change, 'action'),
      provider: sAt(raw, 'source'),
      severity: alertSeverity[severity] ?? 5,
      start: sAt(raw, 'first_seen'),
      end: sAt(raw, 'last_seen'),
      type: ['indicator'],
    },
    rule: { id: sAt(raw, 'rule'), name: sAt(raw, 'title') },
    message: sAt(raw, 'title'),
    organization: { id: event.orgId, name: event.orgSlug },
    duowatch: {
      alert: {
        id: sAt(raw, 'id'),
        entity: sAt(raw, 'entity'),
        severity,
        status: sAt(raw, 'status'),
        count: raw['count'],
        event_ids: raw['event_ids'],
        fields: raw['fields'],
        dedupe_key: sAt(raw, 'dedupe_key'),
        status_by: sAt(raw, 'status_by'),
        status_at: sAt(raw, 'status_at'),
        status_note: sAt(raw, 'status_note'),
      },
      change: change === undefined ? undefined : { ...change },
      stream: 'alerts',
      org: event.orgSlug,
    },
  };
  return (dropEmpty(doc) as Doc | undefined) ?? {};
}
