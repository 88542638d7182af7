import type { SinkEvent } from './types.js';
import { version } from '../../version.js';
import {
  activityActionName,
  activityOutcome,
  at,
  obj,
  sAt,
  severityOf,
  splitIpPort,
  str,
} from './event-fields.js';

/** CEF header fields: `\` and `|` escaped; a line break would end the record, so it becomes a space. */
export function cefHeader(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

/** CEF extension values: `\` and `=` escaped, line breaks as `\n` / `\r` (a `|` needs no escape here). */
export function cefValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

type Ext = Array<[string, string | number | undefined]>;

interface CefParts {
  readonly signature: string;
  readonly name: string;
  readonly ext: Ext;
}

function parseDetails(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string' || !value.startsWith('{')) return obj(value);
  try {
    return obj(JSON.parse(value));
  } catch {
    return undefined;
  }
}

function authParts(raw: SinkEvent['raw']): CefParts {
  const result = sAt(raw, 'result') ?? 'unknown';
  const { ip, port } = splitIpPort(sAt(raw, 'access_device', 'ip'));
  return {
    signature: `auth:${result}`,
    name: `Duo authentication ${result}`,
    ext: [
      ['suser', sAt(raw, 'user', 'name')],
      ['suid', sAt(raw, 'user', 'key')],
      ['src', ip],
      ['spt', port],
      ['shost', sAt(raw, 'access_device', 'hostname')],
      ['act', sAt(raw, 'factor')],
      ['outcome', result],
      ['reason', sAt(raw, 'reason')],
      ['requestClientApplication', sAt(raw, 'access_device', 'browser')],
      ['externalId', sAt(raw, 'txid')],
      ['cs3Label', 'application'],
      ['cs3', sAt(raw, 'application', 'name')],
      ['cs4Label', 'authDevice'],
      ['cs4', sAt(raw, 'auth_device', 'name')],
    ],
  };
}

function adminParts(raw: SinkEvent['raw']): CefParts {
  const action = sAt(raw, 'action') ?? 'unknown';
  return {
    signature: `admin:${action}`,
    name: `Duo administrator action ${action}`,
    ext: [
      ['suser', sAt(raw, 'username')],
      ['duser', sAt(raw, 'object')],
      ['act', action],
      ['msg', sAt(raw, 'description')],
    ],
  };
}

function telephonyParts(raw: SinkEvent['raw']): CefParts {
  const type = sAt(raw, 'type') ?? 'unknown';
  return {
    signature: `telephony:${type}`,
    name: `Duo telephony ${type}`,
    ext: [
      ['act', type],
      ['externalId', sAt(raw, 'telephony_id') ?? sAt(raw, 'txid')],
      ['cs3Label', 'context'],
      ['cs3', sAt(raw, 'context')],
      ['cs4Label', 'phone'],
      ['cs4', sAt(raw, 'phone')],
      ['cn1Label', 'credits'],
      ['cn1', sAt(raw, 'credits')],
    ],
  };
}

function activityParts(raw: SinkEvent['raw']): CefParts {
  const action = activityActionName(raw) ?? 'unknown';
  return {
    signature: `activity:${action}`,
    name: `Duo activity ${action}`,
    ext: [
      ['suser', sAt(raw, 'actor', 'name')],
      ['duser', sAt(raw, 'target', 'name')],
      ['src', sAt(raw, 'access_device', 'ip', 'address') ?? splitIpPort(sAt(raw, 'access_device', 'ip')).ip],
      ['act', action],
      ['outcome', activityOutcome(raw)?.toLowerCase()],
      ['externalId', sAt(raw, 'activity_id')],
      ['cs3Label', 'application'],
      ['cs3', sAt(raw, 'application', 'name')],
    ],
  };
}

function trustMonitorParts(raw: SinkEvent['raw']): CefParts {
  const type = sAt(raw, 'type') ?? 'unknown';
  const explanations = at(raw, 'explanations');
  const summary = Array.isArray(explanations)
    ? explanations
        .map((e) => sAt(e, 'summary'))
        .filter((s): s is string => s !== undefined)
        .join('; ')
    : undefined;
  return {
    signature: `trust_monitor:${type}`,
    name: `Duo Trust Monitor ${type}${at(raw, 'priority_event') === true ? ' (priority)' : ''}`,
    ext: [
      ['duser', sAt(raw, 'surfaced_auth', 'user', 'name') ?? sAt(raw, 'enabled_for', 'name')],
      ['suser', sAt(raw, 'enabled_by', 'name')],
      ['src', splitIpPort(sAt(raw, 'surfaced_auth', 'access_device', 'ip')).ip],
      ['act', type],
      ['msg', summary],
      ['request', sAt(raw, 'triage_event_uri')],
      ['externalId', sAt(raw, 'sekey')],
    ],
  };
}

function offlineParts(raw: SinkEvent['raw']): CefParts {
  const action = sAt(raw, 'action') ?? 'unknown';
  const details = parseDetails(raw.description);
  return {
    signature: `offline_enrollment:${action}`,
    name: `Duo offline enrollment ${action}`,
    ext: [
      ['suser', sAt(raw, 'username')],
      ['dhost', sAt(details, 'hostname')],
      ['act', action],
      ['requestClientApplication', sAt(details, 'user_agent')],
      ['cs3Label', 'integration'],
      ['cs3', str(raw.object)],
    ],
  };
}

/** A duowatch alert: its rule as the signature, its title as the name, the entity it is about. */
function alertParts(raw: SinkEvent['raw']): CefParts {
  const rule = sAt(raw, 'rule') ?? 'alert';
  return {
    signature: `alerts:${rule}`,
    name: sAt(raw, 'title') ?? rule,
    ext: [
      ['act', rule],
      ['duser', sAt(raw, 'entity')],
      ['msg', sAt(raw, 'title')],
      ['cs3Label', 'source'],
      ['cs3', sAt(raw, 'source')],
      ['cs4Label', 'alertSeverity'],
      ['cs4', sAt(raw, 'severity')],
    ],
  };
}

const partsOf: Record<SinkEvent['stream'], (raw: SinkEvent['raw']) => CefParts> = {
  alerts: alertParts,
  auth: authParts,
  admin: adminParts,
  telephony: telephonyParts,
  activity: activityParts,
  trust_monitor: trustMonitorParts,
  offline_enrollment: offlineParts,
};

/**
 * One event as an ArcSight CEF record (docs/log-sinks.md, "CEF"): `CEF:0|Cisco|Duo|<duowatch version>|<signature>|
 * <name>|<severity 0–10 per event>|<extension>`. The extension uses the CEF dictionary's keys; our event id,
 * stream and organization go in `cs1`, `cs2` and `cs5` (labelled), `rt` is the event time in epoch ms.
 */
export function formatCef(event: SinkEvent): string {
  const parts = partsOf[event.stream](event.raw);
  const ext: Ext = [
    ['rt', event.ts],
    ...parts.ext,
    ['cs1Label', 'duowatchId'],
    ['cs1', event.id],
    ['cs2Label', 'duoLog'],
    ['cs2', event.stream],
    ['cs5Label', 'organization'],
    ['cs5', event.orgSlug],
  ];
  const extension = ext
    .filter((kv): kv is [string, string | number] => kv[1] !== undefined && kv[1] !== '')
    .map(([k, v]) => `${k}=${cefValue(String(v))}`)
    .join(' ');
  const header = ['CEF:0', 'Cisco', 'Duo', version, parts.signature, parts.name, String(severityOf(event))]
    .map((h, i) => (i === 0 ? h : cefHeader(h)))
    .join('|');
  return `${header}|${extension}`;
}
