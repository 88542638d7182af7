import type { AlertSeverity } from '../app/index.js';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved', 'suppressed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const satisfies readonly AlertSeverity[];

export interface StoredAlert {
  readonly id: string;
  readonly orgId: string;
  readonly source: string;
  readonly rule: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly entity: string;
  readonly status: AlertStatus;
  readonly dedupeKey: string;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  /** Repeats folded in while suppressed (1 for a single occurrence). */
  readonly count: number;
  readonly eventIds: readonly string[];
  readonly fields: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Who last changed the status (acknowledged / resolved), when, and why. */
  readonly statusBy: string | null;
  readonly statusAt: Date | null;
  readonly statusNote: string | null;
}

export const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = {
  low: 0,
  medium: 1,
  high: 2,
  critical: 3,
};

/** What a raise adds to an alert's count: 1, or the occurrences its caller folded into it (a whole number > 1). */
export const occurrences = (a: { readonly count?: number | undefined }): number =>
  a.count !== undefined && Number.isSafeInteger(a.count) && a.count > 1 ? a.count : 1;
