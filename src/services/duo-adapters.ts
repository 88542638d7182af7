import type { DuoClient, PageIterator } from '../duo/index.js';
import type { ConnectionProbe, EvidenceDuoReader, Page } from '../evidence/index.js';

/**
 * The real client seen through the evidence capability's narrow ports. The client's iterators report a
 * cap through `state.truncated` once the walk ends; the port wants it on a page, so a final empty page
 * carries the flag.
 */
async function* pages<T, C>(iterator: PageIterator<T, C>): AsyncIterable<Page<T>> {
  for await (const page of iterator) yield { items: page.items };
  if (iterator.state.truncated) yield { items: [], truncated: true };
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

export function evidenceReaderFor(client: DuoClient): EvidenceDuoReader {
  return {
    users: (caps) =>
      pages(
        client.admin.users.list({ maxPages: caps.maxPages, pageSize: caps.pageSize, ...sig(caps.signal) }),
      ),
    admins: (caps) =>
      pages(
        client.admin.admins.list({ maxPages: caps.maxPages, pageSize: caps.pageSize, ...sig(caps.signal) }),
      ),
    policies: (caps) =>
      pages(
        client.admin.policies.list({ maxPages: caps.maxPages, pageSize: caps.pageSize, ...sig(caps.signal) }),
      ),
    settings: async (opts) => await client.admin.settings(sig(opts.signal)),
    // Lets identity sync notice a listing shorter than Duo's own count (never Pass on short data).
    summary: (opts) => client.admin.info.summary(sig(opts.signal)),
    bypassCodes: (caps) =>
      pages(
        client.admin.bypassCodes.list({
          maxPages: caps.maxPages,
          pageSize: caps.pageSize,
          ...sig(caps.signal),
        }),
      ),
    authLogs: (q) =>
      pages(
        client.logs.authentication({
          mintime: q.mintimeMs,
          maxtime: q.maxtimeMs,
          sort: q.sort,
          maxPages: q.maxPages,
          pageSize: q.pageSize,
          ...sig(q.signal),
        }),
      ),
  };
}

async function firstPage<T, C>(iterator: PageIterator<T, C>): Promise<T[]> {
  for await (const page of iterator) return page.items;
  return [];
}

export function connectionProbeFor(client: DuoClient): ConnectionProbe {
  return {
    ping: async (opts) => ({ time: (await client.auth.ping(sig(opts.signal))).time }),
    authCheck: (opts) => client.auth.check(sig(opts.signal)),
    infoSummary: (opts) => client.admin.info.summary(sig(opts.signal)),
    authLogProbe: (opts) =>
      firstPage(
        client.logs.authentication({
          mintime: opts.mintimeMs,
          maxtime: opts.maxtimeMs,
          maxPages: 1,
          pageSize: 1,
          ...sig(opts.signal),
        }),
      ),
    usersProbe: (opts) =>
      firstPage(client.admin.users.list({ maxPages: 1, pageSize: 1, ...sig(opts.signal) })),
    adminsProbe: (opts) =>
      firstPage(client.admin.admins.list({ maxPages: 1, pageSize: 1, ...sig(opts.signal) })),
    settingsProbe: (opts) => client.admin.settings(sig(opts.signal)),
  };
}
