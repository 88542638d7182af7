import type { z } from 'zod';
import type { DuoReply, DuoRequest } from '../client/core.js';
import {
  pageIterator,
  clampPageSize,
  nextV1Offset,
  type PageIterator,
  type PagingCaps,
} from '../paging/index.js';
import { parseResponse } from '../wire/index.js';

export type Requester = (req: DuoRequest) => Promise<DuoReply>;

export interface CallOptions {
  signal?: AbortSignal;
}

export function seg(id: string): string {
  return encodeURIComponent(id);
}

/** One call whose `response` is validated against `schema` at the edge. */
export async function call<T>(rq: Requester, schema: z.ZodType<T>, req: DuoRequest): Promise<T> {
  const reply = await rq(req);
  return parseResponse(schema, reply.response, { request: `${req.method} ${req.path}`, secrets: [] });
}

/** Drops undefined values so optional filters are simply absent from the request. */
export function defined(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
}

export function withSignal(opts: CallOptions | undefined): { signal?: AbortSignal } {
  return opts?.signal === undefined ? {} : { signal: opts.signal };
}

export interface V1ListOptions extends PagingCaps, CallOptions {
  /** Resume from this offset (a checkpoint). */
  offset?: number;
}

/** v1 `limit`/`offset` lists (docs/duo-wire.md §4). */
export function v1List<T>(
  rq: Requester,
  path: string,
  schema: z.ZodType<T>,
  maxLimit: number,
  opts: V1ListOptions = {},
  filters: Record<string, unknown> = {},
): PageIterator<T, number> {
  const limit = clampPageSize(opts.pageSize, maxLimit, maxLimit);
  const list = schema.array();
  return pageIterator<T, number>(
    async (offset) => {
      const req: DuoRequest = {
        method: 'GET',
        path,
        params: defined({ ...filters, limit: String(limit), offset: String(offset ?? 0) }),
        ...withSignal(opts),
      };
      const reply = await rq(req);
      const items = parseResponse(list, reply.response, { request: `GET ${path}`, secrets: [] });
      return { items, next: nextV1Offset(reply.paging) };
    },
    opts.offset ?? null,
    opts.maxPages ?? 100,
  );
}
