import type { IntegrationKind } from '../shared/index.js';
import type { DevicesConfig } from '../devices/index.js';
import type { Secret } from '../store/index.js';
import type { HealthConfig } from '../health/index.js';
import type { AlertsConfig } from '../alerts/index.js';
import type { DetectConfig } from '../detect/index.js';
import type { VerifyConfig } from '../verify/index.js';
import type { LogsConfig } from '../logs/index.js';

export interface ConfiguredIntegration {
  org: string;
  orgName: string;
  kind: IntegrationKind;
  apiHost: string;
  label: string;
  mkey: string | null;
  ikey: Secret;
  skey: Secret;
}

/** The normalised, validated, deeply frozen configuration every capability receives. */
export interface Config {
  /** The YAML file it came from (absolute), or null when only defaults and env were used. */
  readonly file: string | null;
  /** Environment variables that overrode a value. */
  readonly envApplied: readonly string[];
  readonly dataDir: string;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl: string | null;
    readonly trustProxy: boolean;
    readonly trustedProxies: number;
    /** Extra names allowed in Host (lower case, no port); see docs/server.md. */
    readonly allowedHosts: readonly string[];
    readonly metricsToken: Secret | null;
  };
  /** `url` null means the embedded SQLite file `<dataDir>/duowatch.sqlite`. It may carry a password. */
  readonly database: { readonly url: Secret | null; readonly poolSize: number };
  readonly masterKeyFile: string | null;
  readonly duo: {
    readonly transport: {
      readonly timeoutMs: number;
      readonly caFile: string | null;
      readonly resolve: Readonly<Record<string, string>>;
      readonly allowPrivateAddresses: boolean;
      readonly proxy: string | null;
    };
    readonly retry: {
      readonly maxAttempts: number;
      readonly baseDelayMs: number;
      readonly maxDelayMs: number;
    };
    readonly rateLimit: { readonly requestsPerSecond: number; readonly authLogMinIntervalMs: number };
  };
  readonly schedules: {
    readonly identity: string;
    readonly authLog: string;
    readonly jitterSeconds: number;
    readonly authFailedBackoffHours: number;
  };
  readonly logging: { readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' };
  readonly emulator: { readonly mode: 'auto' | 'on' | 'off' };
  readonly admin: { readonly username: string; readonly bootstrapPassword: Secret | null };
  readonly integrations: readonly Readonly<ConfiguredIntegration>[];
  /** Availability probes, states, SLO and the fail-mode policy (docs/health.md). */
  readonly health: HealthConfig;
  readonly alerts: AlertsConfig;
  readonly detect: DetectConfig;
  /** Trusted-endpoint device-cache sync (docs/devices.md). */
  readonly devices: DevicesConfig;
  /** Duo two-factor on duowatch's own login (docs/verify.md). */
  readonly verify: VerifyConfig;
  /** Log collection: sinks (secrets sealed), routes, budgets, MSP children (docs/logs.md). */
  readonly logs: LogsConfig;
}
