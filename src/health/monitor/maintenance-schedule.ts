/**
 * Scheduled maintenance windows (docs/health.md "CLI, API, metrics"): the checks a new window must pass, its
 * stored write with the audit row, its deletion, and the one listing of config and scheduled windows. The
 * REST routes and `duowatch health maintenance` both call these, so they refuse, write and show the same.
 */
import type { MaintenanceWindow } from '../config-schema.js';
import { HealthError } from '../errors.js';
import type { MaintenanceRepository, StoredWindow } from '../store/maintenance-repository.js';

/** A forgotten window must not silence alerts for months. */
export const MAX_WINDOW_MS = 31 * 86_400_000;
/** Windows that ended this long ago are still listed (what was silenced lately). */
const LISTED_AFTER_END_MS = 7 * 86_400_000;

/** One window as the API and the CLI's `--json` show it. */
export interface MaintenanceRow {
  /** Null for a window declared in the configuration (changed there, not deletable). */
  id: number | null;
  source: 'config' | 'api';
  integration: string | null;
  start: string;
  end: string;
  reason: string;
  active: boolean;
  created_by: string | null;
}

export interface ScheduleDeps {
  windows: Pick<MaintenanceRepository, 'add' | 'list' | 'remove'>;
  /** Whether the integration belongs to the organization. */
  owns(orgId: string, integrationId: string): Promise<boolean>;
  /** Writes the audit row (the caller knows the actor and, for a request, the address). */
  audit(entry: {
    action: string;
    orgId: string;
    target: string;
    details: Record<string, unknown>;
  }): Promise<void>;
  now(): number;
}

export interface WindowRequest {
  /** Unset: every integration of the organization. */
  integration?: string | undefined;
  /** ISO times with a zone. */
  start: string;
  end: string;
  reason: string;
}

const badWindow = (message: string) =>
  new HealthError('health.bad_window', message, { status: 400, exitCode: 2 });

export function storedRow(w: StoredWindow, now: number): MaintenanceRow {
  return {
    id: w.id,
    source: 'api',
    integration: w.integrationId,
    start: new Date(w.start).toISOString(),
    end: new Date(w.end).toISOString(),
    reason: w.reason,
    active: w.start <= now && now < w.end,
    created_by: w.createdBy,
  };
}

/** The organization's windows ending within the last 7 days or later: the configured ones, then the stored. */
export async function listWindows(
  deps: Pick<ScheduleDeps, 'windows' | 'now'>,
  configured: readonly MaintenanceWindow[],
  orgId: string,
): Promise<MaintenanceRow[]> {
  const now = deps.now();
  const after = now - LISTED_AFTER_END_MS;
  return [
    ...configured
      .filter((w) => Date.parse(w.end) > after)
      .map((w) => ({
        id: null,
        source: 'config' as const,
        integration: w.integration ?? null,
        start: w.start,
        end: w.end,
        reason: w.reason,
        active: Date.parse(w.start) <= now && now < Date.parse(w.end),
        created_by: null,
      })),
    ...(await deps.windows.list(orgId, after)).map((w) => storedRow(w, now)),
  ];
}

/**
 * Checks and stores a window, audited `health.maintenance_add`. Refused (`health.bad_window`): end not after
 * start, a window already over, one longer than 31 days, an integration of another organization.
 */
export async function scheduleWindow(
  deps: ScheduleDeps,
  orgId: string,
  req: WindowRequest,
  createdBy: string,
): Promise<MaintenanceRow> {
  const now = deps.now();
  const start = Date.parse(req.start);
  const end = Date.parse(req.end);
  if (end <= start) throw badWindow('end must be after start');
  if (end <= now) throw badWindow('the window has already ended');
  if (end - start > MAX_WINDOW_MS) throw badWindow('a window lasts at most 31 days');
  if (req.integration !== undefined && !(await deps.owns(orgId, req.integration)))
    throw badWindow(`no integration ${req.integration} in this organization`);
  const w = await deps.windows.add({
    orgId,
    integrationId: req.integration ?? null,
    start,
    end,
    reason: req.reason,
    createdBy,
    createdAt: now,
  });
  await deps.audit({
    action: 'health.maintenance_add',
    orgId,
    target: String(w.id),
    details: { integration: w.integrationId, start: req.start, end: req.end, reason: w.reason },
  });
  return storedRow(w, now);
}

/** Deletes a scheduled window of the organization, audited `health.maintenance_delete`; undefined when none. */
export async function deleteWindow(
  deps: ScheduleDeps,
  orgId: string,
  id: number,
): Promise<MaintenanceRow | undefined> {
  const w = await deps.windows.remove(orgId, id);
  if (w === undefined) return undefined;
  await deps.audit({
    action: 'health.maintenance_delete',
    orgId,
    target: String(w.id),
    details: { integration: w.integrationId, reason: w.reason },
  });
  return storedRow(w, deps.now());
}
