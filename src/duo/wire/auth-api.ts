import { z } from 'zod';
import { bool, num, obj, openEnum, str, strList } from './lenient.js';

export const timeSchema = obj({ time: z.number() });
export type DuoTime = z.infer<typeof timeSchema>;

export const preauthDeviceSchema = obj({
  device: z.string(),
  type: str,
  name: str,
  number: str,
  display_name: str,
  capabilities: strList,
  sms_nextcode: str,
});
export type DuoPreauthDevice = z.infer<typeof preauthDeviceSchema>;

export const preauthSchema = obj({
  result: openEnum(['auth', 'allow', 'deny', 'enroll'] as const),
  status_msg: str,
  devices: z.array(preauthDeviceSchema).nullish(),
  enroll_portal_url: str,
});
export type DuoPreauth = z.infer<typeof preauthSchema>;

export const authSyncSchema = obj({
  result: openEnum(['allow', 'deny'] as const),
  status: str,
  status_msg: str,
  trusted_device_token: str,
});
export type DuoAuthResult = z.infer<typeof authSyncSchema>;

export const authAsyncSchema = obj({ txid: z.string() });
export type DuoAuthAsync = z.infer<typeof authAsyncSchema>;

export const authStatusSchema = obj({
  result: openEnum(['waiting', 'allow', 'deny'] as const),
  status: str,
  status_msg: str,
  auth_delayed: bool,
  trusted_device_token: str,
});
export type DuoAuthStatus = z.infer<typeof authStatusSchema>;

export const enrollSchema = obj({
  activation_barcode: str,
  activation_code: str,
  expiration: num,
  user_id: str,
  username: str,
});
export type DuoEnroll = z.infer<typeof enrollSchema>;

/** `/auth/v2/enroll_status` answers a bare string (`"waiting"`, `"success"`, `"invalid"`). */
export const enrollStatusSchema = openEnum(['waiting', 'success', 'invalid'] as const);
export type DuoEnrollStatus = z.infer<typeof enrollStatusSchema>;
