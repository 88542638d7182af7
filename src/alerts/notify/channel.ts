import type { StoredAlert } from '../model.js';

/** One way of telling people about a new alert (docs/conventions.md §4: the narrow slice we use). */
export interface NotifyChannel {
  readonly name: string;
  send(alert: StoredAlert, context: { orgSlug: string; dashboardUrl: string | null }): Promise<void>;
}

/** One line a person reads first: severity, title, who/what, where. Never a secret. */
export function headline(alert: StoredAlert, orgSlug: string): string {
  const count = alert.count > 1 ? ` (×${alert.count})` : '';
  return `[${alert.severity.toUpperCase()}] ${alert.title}: ${alert.entity} in ${orgSlug}${count}`;
}

/** Triage fields as "key: value" lines, values shortened so a message stays readable. */
export function fieldLines(alert: StoredAlert): string[] {
  return Object.entries(alert.fields)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k}: ${text.length > 200 ? `${text.slice(0, 197)}...` : text}`;
    });
}
