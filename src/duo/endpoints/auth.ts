import {
  authAsyncSchema,
  authStatusSchema,
  authSyncSchema,
  enrollSchema,
  enrollStatusSchema,
  preauthSchema,
  timeSchema,
  type DuoAuthAsync,
  type DuoAuthResult,
  type DuoAuthStatus,
  type DuoEnroll,
  type DuoEnrollStatus,
  type DuoPreauth,
} from '../wire/index.js';
import { call, defined, withSignal, type CallOptions, type Requester } from './call.js';

export interface PingResult {
  /** Duo's clock, epoch seconds. */
  time: number;
  latencyMs: number;
  /** Server minus local clock, ms, from this ping. */
  clockSkewMs: number;
}

export type UserRef = { username: string; user_id?: never } | { user_id: string; username?: never };

export interface AuthParams {
  factor: 'auto' | 'push' | 'passcode' | 'sms' | 'phone';
  /** `auto` or a device id; required for auto/push/phone/sms. */
  device?: string;
  passcode?: string;
  type?: string;
  display_username?: string;
  /** URL-encoded key=value pairs, under 20 000 bytes. */
  pushinfo?: string;
  ipaddr?: string;
}

export interface AuthTimeouts {
  /** Synchronous `/auth/v2/auth` blocks until the user answers (about a minute). */
  syncAuthMs: number;
  /** `/auth/v2/auth_status` is a long poll. */
  authStatusMs: number;
}

export function authEndpoints(
  rq: Requester,
  timeouts: AuthTimeouts,
  clock: { now(): number },
  learnSkew: (serverMs: number, sentAt: number, receivedAt: number) => number,
) {
  return {
    /** Unsigned heartbeat (docs/duo-wire.md §2.6); answers for any hostname, so it proves reachability only. */
    async ping(opts?: CallOptions): Promise<PingResult> {
      const sentAt = clock.now();
      const { time } = await call(rq, timeSchema, {
        method: 'GET',
        path: '/auth/v2/ping',
        unsigned: true,
        ...withSignal(opts),
      });
      const receivedAt = clock.now();
      return {
        time,
        latencyMs: receivedAt - sentAt,
        clockSkewMs: learnSkew(time * 1000, sentAt, receivedAt),
      };
    },
    /** Signed; proves key and signature (an Admin key gets 40301, which still proves both). */
    async check(opts?: CallOptions): Promise<PingResult> {
      const sentAt = clock.now();
      const { time } = await call(rq, timeSchema, {
        method: 'GET',
        path: '/auth/v2/check',
        ...withSignal(opts),
      });
      const receivedAt = clock.now();
      return {
        time,
        latencyMs: receivedAt - sentAt,
        clockSkewMs: learnSkew(time * 1000, sentAt, receivedAt),
      };
    },
    preauth: (
      params: UserRef & { ipaddr?: string; hostname?: string; trusted_device_token?: string },
      opts?: CallOptions,
    ): Promise<DuoPreauth> =>
      call(rq, preauthSchema, {
        method: 'POST',
        path: '/auth/v2/preauth',
        params: defined({ ...params }),
        ...withSignal(opts),
      }),
    /** Synchronous: waits for the user, with its own long timeout. */
    auth: (params: UserRef & AuthParams, opts?: CallOptions): Promise<DuoAuthResult> =>
      call(rq, authSyncSchema, {
        method: 'POST',
        path: '/auth/v2/auth',
        params: defined({ ...params, async: '0' }),
        timeoutMs: timeouts.syncAuthMs,
        ...withSignal(opts),
      }),
    authAsync: (params: UserRef & AuthParams, opts?: CallOptions): Promise<DuoAuthAsync> =>
      call(rq, authAsyncSchema, {
        method: 'POST',
        path: '/auth/v2/auth',
        params: defined({ ...params, async: '1' }),
        ...withSignal(opts),
      }),
    authStatus: (txid: string, opts?: CallOptions): Promise<DuoAuthStatus> =>
      call(rq, authStatusSchema, {
        method: 'GET',
        path: '/auth/v2/auth_status',
        params: { txid },
        timeoutMs: timeouts.authStatusMs,
        ...withSignal(opts),
      }),
    enroll: (
      params: { username?: string; valid_secs?: number } = {},
      opts?: CallOptions,
    ): Promise<DuoEnroll> =>
      call(rq, enrollSchema, {
        method: 'POST',
        path: '/auth/v2/enroll',
        params: defined({ ...params }),
        ...withSignal(opts),
      }),
    enrollStatus: (
      params: { user_id: string; activation_code: string },
      opts?: CallOptions,
    ): Promise<DuoEnrollStatus> =>
      call(rq, enrollStatusSchema, {
        method: 'POST',
        path: '/auth/v2/enroll_status',
        params: { ...params },
        ...withSignal(opts),
      }),
    /** The account logo, PNG bytes. */
    async logo(opts?: CallOptions): Promise<Buffer> {
      const reply = await rq({ method: 'GET', path: '/auth/v2/logo', raw: true, ...withSignal(opts) });
      return reply.bytes;
    },
  };
}

export type AuthEndpoints = ReturnType<typeof authEndpoints>;
