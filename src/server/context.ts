import type { Context } from 'hono';
import type { DuowatchServices } from '../services/contract.js';

export interface OrgRef {
  id: string;
  slug: string;
  name: string;
}
import type {
  AccountsService,
  AccountsStore,
  ApiToken,
  Membership,
  Operator,
  OrgRole,
  ScryptParams,
  SecondFactor,
  Session,
} from '../accounts/index.js';
import type { ServerMetrics } from './metrics.js';
import type { ProxyTrust } from './client-ip.js';
import type { RandomBytes } from '../accounts/index.js';

/** The narrow logger slice the server uses (pino satisfies it). */
export interface ServerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ServerConfig {
  /** Mark cookies Secure (always true when the request came over TLS). */
  secureCookies: boolean;
  /** Take the client IP from X-Forwarded-For and TLS from X-Forwarded-Proto (only behind a reverse proxy). */
  trustProxy: boolean;
  /** How many reverse proxies stand in front when `trustProxy` is on (the client is that many hops right). */
  trustedProxies: number;
  /** Largest request body on /api/* in bytes, unless a `bodyLimits` entry matches the path. */
  maxBodyBytes: number;
  /** Larger limits for given API paths (an import upload), first match wins. */
  bodyLimits: ReadonlyArray<{ path: RegExp; bytes: number }>;
  /**
   * Host names (no port) requests may name in `Host`; anything else is refused (DNS rebinding). null turns
   * the check off (a non-loopback listener with no publicUrl: there is nothing to compare with).
   */
  allowedHosts: readonly string[] | null;
  /** When set, /metrics needs `Authorization: Bearer <this>`. */
  metricsToken: string | null;
  sessionTtlMs: number;
  /** Folder served at / (the dashboard). */
  publicDir: string;
  /** Folder holding uplot's dist files, served at /vendor/uplot/. */
  uplotDir: string;
  scrypt: ScryptParams;
}

export type Principal =
  | { kind: 'operator'; operator: Operator; memberships: Membership[]; session: Session }
  | { kind: 'token'; token: ApiToken };

/** Everything route modules need, built once by createServerApp. */
export interface ServerDeps {
  /** A second sign-in step (Duo 2FA from the verify capability); absent: the password alone. */
  secondFactor?: SecondFactor;
  services: DuowatchServices;
  /** The store's accounts tables, for the HTTP side of sessions and tokens (cookies, Bearer). */
  accounts: AccountsStore;
  /** Operators, memberships and the password step: the same service the CLI calls. */
  accountsService: AccountsService;
  config: ServerConfig;
  /** How far forwarding headers are believed (from `trustProxy` and `trustedProxies`). */
  proxy: ProxyTrust;
  logger: ServerLogger;
  clock: () => Date;
  metrics: ServerMetrics;
  random: RandomBytes;
}

export interface AppEnv {
  Variables: {
    principal: Principal | null;
    /** The organization named in the path, resolved by the access guard. */
    org: OrgRef;
    orgRole: OrgRole | null;
    requestId: string;
  };
}

export type AppContext = Context<AppEnv>;
