import { z } from 'zod';
import { anyRecord, bool, num, numLike, obj, openEnum, str, strList, triBool } from './lenient.js';

export const AUTH_RESULTS = ['success', 'denied', 'failure', 'error', 'fraud'] as const;

const location = obj({ city: str, state: str, country: str }).nullish();

export const authLogEventSchema = obj({
  txid: str,
  timestamp: num,
  isotimestamp: str,
  event_type: openEnum(['authentication', 'enrollment'] as const).nullish(),
  result: openEnum(AUTH_RESULTS).nullish(),
  reason: str,
  factor: str,
  user: obj({ key: str, name: str, groups: strList }).nullish(),
  alias: str,
  email: str,
  ood_software: str,
  trusted_endpoint_status: str,
  application: obj({ key: str, name: str }).nullish(),
  access_device: obj({
    browser: str,
    browser_version: str,
    hostname: str,
    ip: str,
    epkey: str,
    os: str,
    os_version: str,
    is_encryption_enabled: triBool,
    is_firewall_enabled: triBool,
    is_password_set: triBool,
    location,
    // null, "unknown", [] or a list (docs/duo-wire.md §5).
    security_agents: z.union([z.array(z.unknown()), z.string()]).nullish(),
  }).nullish(),
  auth_device: obj({ ip: str, name: str, location }).nullish(),
});
export type DuoAuthLogEvent = z.infer<typeof authLogEventSchema>;

/** `next_offset` is `["<ts ms>", "<txid>"]` or null/absent on the last page. */
export const authLogPageSchema = obj({
  authlogs: z.array(authLogEventSchema),
  metadata: obj({
    next_offset: z.array(z.union([z.string(), z.number()])).nullish(),
    total_objects: z.union([z.number(), anyRecord]).nullish(),
  }).nullish(),
});
export type DuoAuthLogPage = z.infer<typeof authLogPageSchema>;

export const adminLogRowSchema = obj({
  action: z.string(),
  description: z.union([z.string(), anyRecord]).nullish(),
  isotimestamp: str,
  object: str,
  timestamp: z.number(),
  username: str,
});
export type DuoAdminLogRow = z.infer<typeof adminLogRowSchema>;

export const telephonyItemSchema = obj({
  context: str,
  credits: num,
  phone: str,
  telephony_id: str,
  ts: str,
  txid: str,
  type: str,
});
export type DuoTelephonyItem = z.infer<typeof telephonyItemSchema>;

export const activityItemSchema = obj({
  activity_id: str,
  ts: str,
  akey: str,
  action: z.union([str, anyRecord]),
  actor: anyRecord.nullish(),
  target: anyRecord.nullish(),
  application: anyRecord.nullish(),
  access_device: anyRecord.nullish(),
  outcome: anyRecord.nullish(),
});
export type DuoActivityItem = z.infer<typeof activityItemSchema>;

/** Shared by telephony v2 and activity: a single-string cursor, absent on the last page. */
export const stringCursorMetadataSchema = obj({
  next_offset: z.string().nullish(),
  total_objects: z.union([z.number(), anyRecord]).nullish(),
}).nullish();

export const telephonyPageSchema = obj({
  items: z.array(telephonyItemSchema),
  metadata: stringCursorMetadataSchema,
});
export const activityPageSchema = obj({
  items: z.array(activityItemSchema),
  metadata: stringCursorMetadataSchema,
});

export const trustMonitorEventSchema = obj({
  sekey: str,
  type: str,
  state: str,
  surfaced_timestamp: numLike,
  triaged_as_interesting: bool,
  priority_event: bool,
  priority_reasons: z.array(z.unknown()).nullish(),
  from_common_netblock: bool,
  from_new_user: bool,
  low_risk_ip: bool,
  explanations: z.array(obj({ type: str, summary: str })).nullish(),
  surfaced_auth: anyRecord.nullish(),
});
export type DuoTrustMonitorEvent = z.infer<typeof trustMonitorEventSchema>;

export const trustMonitorPageSchema = obj({
  events: z.array(trustMonitorEventSchema),
  metadata: obj({ next_offset: z.union([z.string(), z.number()]).nullish() }).nullish(),
});

/** `/admin/v1/logs/offline_enrollment` rows: same v1 envelope as the administrator log. */
export const offlineEnrollmentRowSchema = obj({
  action: str,
  description: z.union([z.string(), anyRecord]).nullish(),
  object: str,
  timestamp: z.number(),
  username: str,
  isotimestamp: str,
});
export type DuoOfflineEnrollmentRow = z.infer<typeof offlineEnrollmentRowSchema>;

/** v1 telephony log (`/admin/v1/logs/telephony`), paged by mintime like the administrator log. */
export const telephonyV1RowSchema = obj({
  context: str,
  credits: num,
  phone: str,
  timestamp: z.number(),
  type: str,
  isotimestamp: str,
});
