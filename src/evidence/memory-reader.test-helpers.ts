import type { AuthLogQuery, EvidenceDuoReader, Page, PageCaps } from './ports.js';
import type {
  AdminLike,
  AuthEventLike,
  BypassCodeLike,
  PolicyLike,
  SettingsLike,
  UserLike,
} from './types.js';

/** A tenant held in memory. `authLogs` is read at each call, so a test can append late-arriving events. */
export interface MemoryTenant {
  users: readonly UserLike[];
  admins: readonly AdminLike[];
  policies: readonly PolicyLike[];
  settings: SettingsLike;
  bypassCodes?: readonly BypassCodeLike[];
  authLogs?: () => readonly AuthEventLike[];
  /** What `/admin/v1/info/summary` reports; default: the lengths of `users` and `admins`. */
  summary?: { user_count?: number; admin_count?: number };
}

export interface MemoryDuoReader extends EvidenceDuoReader {
  /** Requests made so far, by endpoint (one per page). */
  readonly requests: Record<string, number>;
}

function eventMs(e: AuthEventLike): number {
  if (typeof e.isotimestamp === 'string') return Date.parse(e.isotimestamp);
  return (e.timestamp ?? 0) * 1000;
}

/**
 * An EvidenceDuoReader over an in-memory tenant, paging like Duo (offset pages for lists, `ts:asc` pages for
 * the auth log) and enforcing the caps it is given: the last page it yields is flagged `truncated` when data
 * remained. `fail(endpoint)` lets a test throw a Duo-like error from one endpoint.
 */
export function createMemoryDuoReader(
  tenant: MemoryTenant,
  opts: { fail?: (endpoint: string) => Error | undefined } = {},
): MemoryDuoReader {
  const requests: Record<string, number> = {};
  const hit = (endpoint: string): void => {
    requests[endpoint] = (requests[endpoint] ?? 0) + 1;
    const err = opts.fail?.(endpoint);
    if (err !== undefined) throw err;
  };
  async function* pages<T>(endpoint: string, all: readonly T[], caps: PageCaps): AsyncGenerator<Page<T>> {
    let offset = 0;
    let n = 0;
    do {
      await Promise.resolve();
      hit(endpoint);
      const items = all.slice(offset, offset + caps.pageSize);
      offset += items.length;
      n++;
      const more = offset < all.length;
      const truncated = more && n >= caps.maxPages;
      yield truncated ? { items, truncated } : { items };
      if (truncated) return;
    } while (offset < all.length);
  }
  return {
    requests,
    users: (caps) => pages('/admin/v1/users', tenant.users, caps),
    admins: (caps) => pages('/admin/v1/admins', tenant.admins, caps),
    policies: (caps) => pages('/admin/v2/policies', tenant.policies, caps),
    bypassCodes: (caps) => pages('/admin/v1/bypass_codes', tenant.bypassCodes ?? [], caps),
    summary: async () => {
      await Promise.resolve();
      hit('/admin/v1/info/summary');
      return { user_count: tenant.users.length, admin_count: tenant.admins.length, ...tenant.summary };
    },
    settings: async () => {
      await Promise.resolve();
      hit('/admin/v1/settings');
      return tenant.settings;
    },
    authLogs: (q: AuthLogQuery) => {
      const events = (tenant.authLogs?.() ?? [])
        .filter((e) => eventMs(e) >= q.mintimeMs && eventMs(e) <= q.maxtimeMs)
        .slice()
        .sort((a, b) => eventMs(a) - eventMs(b));
      return pages('/admin/v2/logs/authentication', events, q);
    },
  };
}
