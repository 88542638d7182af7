import type { z } from 'zod';
import {
  clampPageSize,
  nextMintime,
  pageIterator,
  parseAuthLogCursor,
  type AuthLogCursor,
  type PageIterator,
  type PagingCaps,
} from '../paging/index.js';
import {
  activityPageSchema,
  adminLogRowSchema,
  authLogPageSchema,
  offlineEnrollmentRowSchema,
  parseResponse,
  telephonyPageSchema,
  telephonyV1RowSchema,
  trustMonitorPageSchema,
  type DuoActivityItem,
  type DuoAdminLogRow,
  type DuoAuthLogEvent,
  type DuoOfflineEnrollmentRow,
  type DuoTelephonyItem,
  type DuoTrustMonitorEvent,
} from '../wire/index.js';
import { defined, withSignal, type CallOptions, type Requester } from './call.js';

export interface TimeRangeMs {
  /** Epoch ms. Duo keeps 180 days; use at most 179 (docs/duo-wire.md §4). */
  mintime: number;
  /** Epoch ms. Events newer than two minutes are not yet visible: use now − 2 min. */
  maxtime: number;
}

export interface AuthLogQuery extends TimeRangeMs, PagingCaps, CallOptions {
  sort?: 'ts:asc' | 'ts:desc';
  users?: string[];
  groups?: string[];
  applications?: string[];
  results?: string[];
  reasons?: string[];
  factors?: string[];
  event_types?: string[];
  assessment?: string[];
  detections?: string[];
  /** Resume from a checkpointed cursor. */
  cursor?: AuthLogCursor;
}

export interface CursorQuery extends TimeRangeMs, PagingCaps, CallOptions {
  sort?: 'ts:asc' | 'ts:desc';
  cursor?: string;
}

export interface MintimeQuery extends CallOptions {
  /** Epoch seconds. */
  mintime: number;
  maxPages?: number;
}

function range(q: TimeRangeMs): Record<string, string> {
  return { mintime: String(Math.floor(q.mintime)), maxtime: String(Math.floor(q.maxtime)) };
}

function parsePage<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  return parseResponse(schema, value, { request: `GET ${path}`, secrets: [] });
}

export function logEndpoints(rq: Requester) {
  /** v2 cursor logs whose cursor is one string (telephony v2, activity). */
  function stringCursorLog<T>(
    path: string,
    schema: z.ZodType<{
      items: T[];
      metadata?: { next_offset?: string | null | undefined } | null | undefined;
    }>,
    q: CursorQuery,
  ): PageIterator<T, string> {
    const limit = clampPageSize(q.pageSize, 1000, 1000);
    return pageIterator<T, string>(
      async (cursor) => {
        const reply = await rq({
          method: 'GET',
          path,
          params: defined({
            ...range(q),
            limit: String(limit),
            sort: q.sort,
            next_offset: cursor ?? undefined,
          }),
          ...withSignal(q),
        });
        const page = parsePage(schema, reply.response, path);
        const next = page.metadata?.next_offset;
        return { items: page.items, next: typeof next === 'string' && next !== '' ? next : null };
      },
      q.cursor ?? null,
      q.maxPages ?? 25,
    );
  }

  /** v1 logs paged by `mintime` in seconds, repeats at the boundary second dropped. */
  function mintimeLog<T extends { timestamp: number }>(
    path: string,
    row: z.ZodType<T>,
    q: MintimeQuery,
  ): PageIterator<T, number> {
    const LIMIT = 1000;
    let boundary = new Set<string>();
    return pageIterator<T, number>(
      async (mintime) => {
        const reply = await rq({
          method: 'GET',
          path,
          params: { mintime: String(mintime ?? q.mintime) },
          ...withSignal(q),
        });
        const rows = parsePage(row.array(), reply.response, path);
        const fresh = rows.filter((r) => !boundary.has(JSON.stringify(r)));
        const { next } = nextMintime(rows, LIMIT);
        boundary = new Set(
          rows.filter((r) => next !== null && Math.floor(r.timestamp) === next).map((r) => JSON.stringify(r)),
        );
        // Progress guard: a full page made only of repeats cannot move the cursor; step past that second.
        const stuck = next !== null && mintime !== null && next <= mintime && fresh.length === 0;
        return { items: fresh, next: stuck ? next + 1 : next };
      },
      null,
      q.maxPages ?? 25,
    );
  }

  return {
    /** `/admin/v2/logs/authentication`; the cursor goes back as two repeated `next_offset` values. */
    authentication(q: AuthLogQuery): PageIterator<DuoAuthLogEvent, AuthLogCursor> {
      const limit = clampPageSize(q.pageSize, 1000, 1000);
      const path = '/admin/v2/logs/authentication';
      return pageIterator<DuoAuthLogEvent, AuthLogCursor>(
        async (cursor) => {
          const reply = await rq({
            method: 'GET',
            path,
            params: defined({
              ...range(q),
              limit: String(limit),
              sort: q.sort,
              users: q.users,
              groups: q.groups,
              applications: q.applications,
              results: q.results,
              reasons: q.reasons,
              factors: q.factors,
              event_types: q.event_types,
              assessment: q.assessment,
              detections: q.detections,
              next_offset: cursor === null ? undefined : [cursor[0], cursor[1]],
            }),
            ...withSignal(q),
          });
          const page = parsePage(authLogPageSchema, reply.response, path);
          return { items: page.authlogs, next: parseAuthLogCursor(page.metadata?.next_offset) };
        },
        q.cursor ?? null,
        q.maxPages ?? 25,
      );
    },
    telephony: (q: CursorQuery): PageIterator<DuoTelephonyItem, string> =>
      stringCursorLog('/admin/v2/logs/telephony', telephonyPageSchema, q),
    activity: (q: CursorQuery): PageIterator<DuoActivityItem, string> =>
      stringCursorLog('/admin/v2/logs/activity', activityPageSchema, q),
    /** `/admin/v1/trust_monitor/events`: `offset` = the previous `metadata.next_offset`; limit at most 200. */
    trustMonitor(q: CursorQuery & { type?: string }): PageIterator<DuoTrustMonitorEvent, string> {
      const limit = clampPageSize(q.pageSize, 200, 200);
      const path = '/admin/v1/trust_monitor/events';
      return pageIterator<DuoTrustMonitorEvent, string>(
        async (cursor) => {
          const reply = await rq({
            method: 'GET',
            path,
            params: defined({ ...range(q), limit: String(limit), type: q.type, offset: cursor ?? undefined }),
            ...withSignal(q),
          });
          const page = parsePage(trustMonitorPageSchema, reply.response, path);
          const next = page.metadata?.next_offset;
          return { items: page.events, next: next == null || next === '' ? null : String(next) };
        },
        q.cursor ?? null,
        q.maxPages ?? 25,
      );
    },
    administrator: (q: MintimeQuery): PageIterator<DuoAdminLogRow, number> =>
      mintimeLog('/admin/v1/logs/administrator', adminLogRowSchema, q),
    offlineEnrollment: (q: MintimeQuery): PageIterator<DuoOfflineEnrollmentRow, number> =>
      mintimeLog('/admin/v1/logs/offline_enrollment', offlineEnrollmentRowSchema, q),
    telephonyV1: (q: MintimeQuery) => mintimeLog('/admin/v1/logs/telephony', telephonyV1RowSchema, q),
  };
}

export type LogEndpoints = ReturnType<typeof logEndpoints>;
