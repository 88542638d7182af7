import type { EvidenceDuoReader, Page, PageCaps } from './ports.js';
import type {
  AdminLike,
  AuthEventLike,
  BypassCodeLike,
  PolicyLike,
  SettingsLike,
  UserLike,
} from './types.js';

/**
 * The slice of the Duo wire client (src/duo `createDuoClient`) this adapter uses, typed structurally so the
 * evidence capability needs no import of the client (docs/conventions.md §4) and the real client fits unchanged.
 */
export interface CappedIterator<T> extends AsyncIterable<{ items: readonly T[] }> {
  readonly state: { truncated: boolean };
}
interface ListOpts {
  maxPages?: number;
  pageSize?: number;
  signal?: AbortSignal;
}
export interface DuoClientSlice {
  admin: {
    users: { list(opts?: ListOpts): CappedIterator<UserLike> };
    admins: { list(opts?: ListOpts): CappedIterator<AdminLike> };
    policies: { list(opts?: ListOpts): CappedIterator<PolicyLike> };
    bypassCodes: { list(opts?: ListOpts): CappedIterator<BypassCodeLike> };
    settings(opts?: { signal?: AbortSignal }): Promise<SettingsLike>;
    info: { summary(opts?: { signal?: AbortSignal }): Promise<unknown> };
  };
  logs: {
    authentication(
      q: ListOpts & { mintime: number; maxtime: number; sort?: 'ts:asc' | 'ts:desc' },
    ): CappedIterator<AuthEventLike>;
  };
}

function listOpts(caps: PageCaps): ListOpts {
  return {
    maxPages: caps.maxPages,
    pageSize: caps.pageSize,
    ...(caps.signal === undefined ? {} : { signal: caps.signal }),
  };
}

/** Re-yields the client's pages; when its cap cut the walk short, one empty page flagged `truncated`. */
async function* pagesOf<T>(it: CappedIterator<T>): AsyncGenerator<Page<T>> {
  for await (const page of it) yield { items: page.items };
  if (it.state.truncated) yield { items: [], truncated: true };
}

/** Adapts a Duo client to the evidence reader. */
export function evidencePortsFromDuoClient(client: DuoClientSlice): EvidenceDuoReader {
  return {
    users: (caps) => pagesOf(client.admin.users.list(listOpts(caps))),
    admins: (caps) => pagesOf(client.admin.admins.list(listOpts(caps))),
    policies: (caps) => pagesOf(client.admin.policies.list(listOpts(caps))),
    bypassCodes: (caps) => pagesOf(client.admin.bypassCodes.list(listOpts(caps))),
    settings: (opts) => client.admin.settings(opts),
    summary: async (opts) => {
      const s = (await client.admin.info.summary(opts)) as {
        user_count?: unknown;
        admin_count?: unknown;
      } | null;
      const n = (v: unknown): number | null => (typeof v === 'number' ? v : null);
      return { user_count: n(s?.user_count), admin_count: n(s?.admin_count) };
    },
    authLogs: (q) =>
      pagesOf(
        client.logs.authentication({
          ...listOpts(q),
          mintime: q.mintimeMs,
          maxtime: q.maxtimeMs,
          sort: q.sort,
        }),
      ),
  };
}
