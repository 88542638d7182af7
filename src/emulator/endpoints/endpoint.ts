import type { AdminGrants, AppKind, EmulatorApplication, Tenant, WorldError } from '../world/index.js';
import type { RateClass } from '../limits/index.js';
import { DuoApiError, fromWorldError } from '../wire/duo-errors.js';
import type { Params } from '../wire/params.js';

/** What a handler sees: an already verified request of the right application type and grant. */
export interface EndpointContext {
  tenant: Tenant;
  app: EmulatorApplication;
  params: Params;
  /** The parsed JSON body of a v4/v5 POST, or undefined. */
  json: unknown;
  /** Path parameters (`:user_id` …), already percent-decoded. */
  path: Readonly<Record<string, string>>;
  method: string;
  /** Emulator epoch ms for this request (includes a server clock-offset fault). */
  now: number;
  signal: AbortSignal;
  /** Kinds of the faults that fired for this request (most act before the handler; `telephony` acts in it). */
  faults: readonly string[];
  /** Child tenants of this tenant (Accounts API). */
  children: () => readonly Tenant[];
}

/** A handler answers the `response` member (plus top-level extras such as v1 paging `metadata`). */
export type EndpointResult = { response: unknown; extra?: Record<string, unknown> } | { raw: Response };

export interface EndpointDef {
  method: 'GET' | 'POST' | 'DELETE';
  /** hono route pattern */
  path: string;
  /** The application type that may call it (docs/duo-wire.md §2.5); `null` = unsigned (`/auth/v2/ping`). */
  api: AppKind | null;
  /** The Admin API grant it needs (admin endpoints only). */
  grant?: keyof AdminGrants;
  rate: RateClass | null;
  handler(ctx: EndpointContext): Promise<EndpointResult> | EndpointResult;
}

export function isWorldError(x: unknown): x is WorldError {
  return typeof x === 'object' && x !== null && 'error' in x && typeof (x as WorldError).error === 'object';
}

/** Unwraps a world answer, throwing its Duo error. */
export function unwrap<T>(x: T | WorldError): T {
  if (isWorldError(x)) throw fromWorldError(x.error);
  return x;
}

export function required(params: Params, key: string): string {
  const v = params.get(key);
  if (v === undefined || v === '') throw new DuoApiError(40001);
  return v;
}

export function notFound(): never {
  throw new DuoApiError(40401);
}
