import { stripControl } from '../shared/index.js';
import type { ConnectionProbe } from './connection-probe.js';
import type { TestCheck, TestReport } from './types.js';

export interface Clock {
  now(): number;
}

/** The error fields a report reads; the real DuoApiError fits. */
interface DuoErrorLike {
  duoCode?: number | undefined;
}

/** The specification warns at drift and says every sync fails beyond ~60 s (docs/integrations.md). */
export const SKEW_WARN_MS = 30_000;
export const SKEW_FAIL_MS = 60_000;

const APP_PAGE = 'In the Duo Admin Panel open Applications, select your Admin API application';

/** The four grants the signals need, with the probe that proves each (one signed call apiece). */
export const GRANTS = [
  {
    id: 'grant_read_information',
    label: 'Grant read information',
    probe: 'infoSummary',
    unlocks: 'account metadata (/admin/v1/info/summary)',
  },
  { id: 'grant_read_log', label: 'Grant read log', probe: 'logProbe', unlocks: 'the auth-log poll' },
  {
    id: 'grant_read_resource',
    label: 'Grant read resource',
    probe: 'usersProbe',
    unlocks: 'users, policies and bypass codes',
  },
  {
    // Not in the specification (which files /admin/v1/settings under "read resource"): Duo's Admin API documents
    // "Grant settings" as the permission for /admin/v1/settings, and the emulator enforces it.
    id: 'grant_settings',
    label: 'Grant settings',
    probe: 'settingsProbe',
    unlocks: 'the lockout and password settings (/admin/v1/settings)',
  },
  {
    id: 'grant_administrators_read',
    label: 'Grant administrators — Read',
    probe: 'adminsProbe',
    unlocks: 'the admin inventory',
  },
] as const;

function codeOf(error: unknown): number | undefined {
  const c = (error as DuoErrorLike | null)?.duoCode;
  return typeof c === 'number' ? c : undefined;
}

function messageOf(error: unknown): string {
  return stripControl(error instanceof Error ? error.message : String(error)).slice(0, 300);
}

/** The specification's Troubleshooting section, one sentence per Duo code. */
export function fixFor(code: number | undefined, grantLabel?: string): string {
  switch (code) {
    case 40101:
    case 40102:
      return `${APP_PAGE} and copy its Integration key again (it starts with DI).`;
    case 40103:
      return `${APP_PAGE}, copy the Secret key again (reset it if it was lost), and make sure this host's clock is synchronised (NTP).`;
    case 40104:
      return "Duo rejected the request date: synchronise this host's clock with NTP, then test again.";
    case 40002:
      return 'Use the API hostname exactly as shown on the application page (api-XXXXXXXX.duosecurity.com): no https://, no trailing slash, not the admin portal URL.';
    case 40301:
      return grantLabel === undefined
        ? `${APP_PAGE}: these keys must belong to an Admin API application.`
        : `${APP_PAGE}, tick "${grantLabel}" under Permissions, and click Save Changes.`;
    case 42901:
      return 'Another consumer is using this application’s budget: give it its own Admin API application, then test again.';
    default:
      return 'Check the API hostname and network access to it, then test again.';
  }
}

/**
 * Test Connection (before the first save). `/admin/v1/check`, which the specification names, does not exist
 * (docs/duo-wire.md §5); instead: `/auth/v2/ping` for server time and skew, `/auth/v2/check` signed with the
 * Admin keys (40301 proves key and signature), then one signed read per grant.
 */
export async function testConnection(
  probe: ConnectionProbe,
  opts: { clock?: Clock; signal?: AbortSignal } = {},
): Promise<TestReport> {
  const clock = opts.clock ?? { now: () => Date.now() };
  const sig = opts.signal === undefined ? {} : { signal: opts.signal };
  const checks: TestCheck[] = [];
  let clockSkewMs: number | null = null;
  let serverTime: string | null = null;
  let latencyMs: number | null = null;

  const t0 = clock.now();
  try {
    const { time } = await probe.ping(sig);
    const t1 = clock.now();
    latencyMs = t1 - t0;
    const serverMs = time * 1000;
    // Duo's time has one-second resolution; compare with the middle of the round trip.
    clockSkewMs = Math.round(serverMs - (t0 + t1) / 2);
    serverTime = new Date(serverMs).toISOString();
    const abs = Math.abs(clockSkewMs);
    const seconds = (abs / 1000).toFixed(1);
    checks.push({
      id: 'clock',
      label: 'Server time and clock skew',
      status: abs > SKEW_FAIL_MS ? 'fail' : abs > SKEW_WARN_MS ? 'warn' : 'pass',
      message: `Duo's clock is ${serverTime}; this host is ${seconds} s ${clockSkewMs >= 0 ? 'behind' : 'ahead'}.`,
      ...(abs > SKEW_WARN_MS
        ? {
            fix: "Synchronise this host's clock with NTP: Duo rejects signed requests once it drifts (40103).",
          }
        : {}),
    });
  } catch (error) {
    checks.push({
      id: 'clock',
      label: 'Server time and clock skew',
      status: 'fail',
      ...withCode(error),
      message: `Could not reach Duo: ${messageOf(error)}`,
      fix: fixFor(codeOf(error) ?? 40002),
    });
  }

  let credentialsOk = false;
  try {
    await probe.authCheck(sig);
    checks.push({
      id: 'credentials',
      label: 'Integration key, Secret key and signature',
      status: 'fail',
      message:
        'These keys were accepted by the Auth API: they belong to an Auth API application, not an Admin API one.',
      fix: fixFor(40301),
    });
  } catch (error) {
    const code = codeOf(error);
    if (code === 40301) {
      credentialsOk = true;
      checks.push({
        id: 'credentials',
        label: 'Integration key, Secret key and signature',
        status: 'pass',
        message:
          'Duo verified the key and signature (an Admin key is refused by /auth/v2/check with 40301, as expected).',
      });
    } else {
      checks.push({
        id: 'credentials',
        label: 'Integration key, Secret key and signature',
        status: 'fail',
        ...withCode(error),
        message: messageOf(error),
        fix: fixFor(code),
      });
    }
  }

  for (const grant of GRANTS) {
    if (!credentialsOk) {
      checks.push({
        id: grant.id,
        label: grant.label,
        status: 'fail',
        message: 'Not checked: the credentials were not verified.',
      });
      continue;
    }
    try {
      const now = clock.now();
      if (grant.probe === 'logProbe') {
        await probe.logProbe({ ...sig, mintimeMs: now - 10 * 60_000 });
      } else {
        await probe[grant.probe](sig);
      }
      checks.push({
        id: grant.id,
        label: grant.label,
        status: 'pass',
        message: `Granted: ${grant.unlocks}.`,
      });
    } catch (error) {
      const code = codeOf(error);
      checks.push({
        id: grant.id,
        label: grant.label,
        status: 'fail',
        ...withCode(error),
        message:
          code === 40301
            ? `Missing: ${grant.unlocks} cannot be read (${messageOf(error)}).`
            : messageOf(error),
        fix: fixFor(code, grant.label),
      });
    }
  }
  return { ok: checks.every((c) => c.status !== 'fail'), checks, clockSkewMs, serverTime, latencyMs };
}

function withCode(error: unknown): { code?: number } {
  const code = codeOf(error);
  return code === undefined ? {} : { code };
}
