import type { MaintenanceWindow } from '../config-schema.js';

/** The maintenance window covering this integration at `at`, if any. */
export function maintenanceAt(
  windows: readonly MaintenanceWindow[],
  subject: { orgSlug: string; integrationId: string },
  at: number,
): MaintenanceWindow | undefined {
  return windows.find(
    (w) =>
      w.org === subject.orgSlug &&
      (w.integration === undefined || w.integration === subject.integrationId) &&
      Date.parse(w.start) <= at &&
      at < Date.parse(w.end),
  );
}
