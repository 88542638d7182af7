import type { ApiToken } from './accounts-store.js';

/** A token as the API and `duowatch tokens list --json` show it: never the token itself (docs/server.md). */
export function tokenView(t: ApiToken) {
  return {
    id: t.id,
    label: t.label,
    orgId: t.orgId,
    role: t.role,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  };
}
