import { randomInt } from 'node:crypto';
import type { SigVersion } from '../sign/index.js';
import { DuoDispatcher, type DuoTransportOptions } from '../transport/index.js';
import {
  accountEndpoints,
  adminEndpoints,
  authEndpoints,
  deviceEndpoints,
  logEndpoints,
  type AccountEndpoints,
  type AdminEndpoints,
  type AuthEndpoints,
  type DeviceEndpoints,
  type LogEndpoints,
} from '../endpoints/index.js';
import { SkewTracker, systemClock, type Clock } from './clock.js';
import { createRequester, type DuoReply, type DuoRequest, type RequestLogEvent } from './core.js';
import type { HttpDispatcher } from './http.js';
import { LimiterRegistry, type EndpointClass } from './limiter.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';

export interface DuoClientOptions {
  ikey: string;
  skey: string;
  /** API hostname, `api-XXXXXXXX.duosecurity.com`; validated before any request. */
  host: string;
  /** TLS, DNS guard, proxy and emulator override; ignored when `dispatcher` is given. */
  transport?: DuoTransportOptions;
  /** Any undici Dispatcher (tests route it to the emulator in-process). The caller then owns its safety. */
  dispatcher?: HttpDispatcher;
  clock?: Clock;
  /** In [0, 1); jitter. */
  random?: () => number;
  /** Share one registry per process so concurrent jobs share Duo's budget. Default: a private one. */
  limiter?: LimiterRegistry;
  /**
   * This credential's own budgets (requests per minute per endpoint class, 0 = unlimited), registered on the
   * limiter for this key and host (and for each MSP child's host it reaches).
   */
  ratesPerMinute?: Partial<Record<EndpointClass, number>>;
  retry?: Partial<RetryPolicy>;
  /** Default 5, as Python 5.6.1; 2 for form-encoded v2. */
  sigVersion?: SigVersion;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** Synchronous `/auth/v2/auth` (default 90 s) and `auth_status` long polls (default 90 s). */
  syncAuthTimeoutMs?: number;
  authStatusTimeoutMs?: number;
  /** Sign with the learned server time (default false). */
  signWithServerTime?: boolean;
  userAgent?: string;
  /** One event per attempt, never containing a secret. */
  log?: (event: RequestLogEvent) => void;
  /** Added to every request (used by `forChildAccount`). */
  extraParams?: Readonly<Record<string, string>>;
}

export interface DuoClient {
  readonly host: string;
  /** The one request function: signed, limited, retried, validated envelope. */
  request(req: DuoRequest): Promise<DuoReply>;
  /** Server minus local clock in ms, learned from ping and Date headers; undefined before any reply. */
  clockSkewMs(): number | undefined;
  readonly admin: AdminEndpoints;
  readonly logs: LogEndpoints;
  readonly auth: AuthEndpoints;
  readonly device: DeviceEndpoints;
  readonly accounts: AccountEndpoints;
  /** The Admin API of an MSP child, signed with these Accounts keys, `account_id` on every request. */
  forChildAccount(child: { account_id: string; api_hostname: string }): DuoClient;
  /** Closes the dispatcher this client created (not an injected one). */
  close(): Promise<void>;
}

const defaultRandom = (): number => randomInt(0, 1_000_000) / 1_000_000;

export function createDuoClient(options: DuoClientOptions): DuoClient {
  const clock = options.clock ?? systemClock;
  const owned = options.dispatcher === undefined ? new DuoDispatcher(options.transport ?? {}) : undefined;
  const dispatcher: HttpDispatcher = options.dispatcher ?? (owned as HttpDispatcher);
  const limiter = options.limiter ?? new LimiterRegistry({ clock });
  return build(options, { clock, dispatcher, limiter, owned });
}

function build(
  options: DuoClientOptions,
  shared: {
    clock: Clock;
    dispatcher: HttpDispatcher;
    limiter: LimiterRegistry;
    owned: DuoDispatcher | undefined;
  },
): DuoClient {
  const skew = new SkewTracker();
  if (options.ratesPerMinute !== undefined)
    shared.limiter.configure(
      `${options.ikey}@${options.host.toLowerCase().replace(/\.$/, '')}`,
      options.ratesPerMinute,
    );
  const request = createRequester({
    credentials: { ikey: options.ikey, skey: options.skey, host: options.host },
    dispatcher: shared.dispatcher,
    clock: shared.clock,
    random: options.random ?? defaultRandom,
    limiter: shared.limiter,
    skew,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    defaultSigVersion: options.sigVersion ?? 5,
    timeoutMs: options.timeoutMs ?? 30_000,
    signWithServerTime: options.signWithServerTime ?? false,
    ...(options.extraParams === undefined ? {} : { extraParams: options.extraParams }),
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const timeouts = {
    syncAuthMs: options.syncAuthTimeoutMs ?? 90_000,
    authStatusMs: options.authStatusTimeoutMs ?? 90_000,
  };
  return {
    host: options.host.toLowerCase(),
    request,
    clockSkewMs: () => skew.get(),
    admin: adminEndpoints(request),
    logs: logEndpoints(request),
    auth: authEndpoints(request, timeouts, shared.clock, (s, a, b) => skew.observe(s, a, b)),
    device: deviceEndpoints(request),
    accounts: accountEndpoints(request),
    forChildAccount: (child) =>
      build(
        {
          ...options,
          host: child.api_hostname,
          extraParams: { ...options.extraParams, account_id: child.account_id },
        },
        { ...shared, owned: undefined },
      ),
    close: async () => {
      await shared.owned?.close();
    },
  };
}
