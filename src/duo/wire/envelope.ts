import { z } from 'zod';
import { DuoApiError, classifyDuoFailure } from '../errors/index.js';

/**
 * v1 list paging lives beside `response` in a top-level `metadata` object, as Duo answers and Python's
 * `json_paging_api_call` reads it (`data['metadata']['next_offset']`); bare top-level fields are accepted too.
 */
export const v1PagingSchema = z.looseObject({
  next_offset: z.number().nullish(),
  prev_offset: z.number().nullish(),
  total_objects: z.number().nullish(),
});

const okSchema = z.looseObject({ stat: z.literal('OK'), response: z.unknown() });
const failSchema = z.looseObject({
  stat: z.literal('FAIL'),
  // Go tolerates `"code": ""`; a numeric string is accepted too.
  code: z.union([z.number(), z.string()]).nullish(),
  message: z.string().nullish(),
  message_detail: z.string().nullish(),
});

export interface RawReply {
  status: number;
  contentType: string | undefined;
  text: string;
}

export interface ReplyContext {
  /** `METHOD /path`, for error messages. */
  request: string;
  secrets: readonly string[];
  /** Server minus local clock, from this reply's Date header, if known. */
  skewMs?: number;
}

export interface DuoEnvelope {
  response: unknown;
  paging: z.infer<typeof v1PagingSchema>;
}

function badResponse(ctx: ReplyContext, reply: RawReply, why: string, cause?: unknown): DuoApiError {
  const preview = reply.text.slice(0, 80).replace(/\s+/g, ' ');
  return new DuoApiError({
    kind: 'bad_response',
    request: ctx.request,
    httpStatus: reply.status,
    text: `${why} (content-type ${reply.contentType ?? 'none'}, ${String(reply.text.length)} bytes, starts ${JSON.stringify(preview)})`,
    secrets: ctx.secrets,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Turns one HTTP reply into Duo's envelope, or a DuoApiError. Never throws anything else: Duo's own Node
 * client crashes on a non-JSON reply (docs/toolchain.md); an HTML error page from a proxy or a truncated body
 * becomes `bad_response`, and a FAIL envelope (or an error status without one) is classified by code.
 */
export function parseEnvelope(reply: RawReply, ctx: ReplyContext): DuoEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(reply.text);
  } catch (error) {
    if (reply.status >= 400) return failWithoutEnvelope(reply, ctx);
    const looksHtml = /^\s*</.test(reply.text);
    throw badResponse(ctx, reply, looksHtml ? 'HTML instead of JSON' : 'reply is not valid JSON', error);
  }
  const fail = failSchema.safeParse(json);
  if (fail.success || reply.status >= 400) {
    if (!fail.success) return failWithoutEnvelope(reply, ctx);
    const code = fail.data.code === '' || fail.data.code == null ? undefined : Number(fail.data.code);
    const duoCode = code !== undefined && Number.isInteger(code) ? code : undefined;
    throw new DuoApiError({
      kind: classifyDuoFailure(reply.status, duoCode, ctx.skewMs),
      request: ctx.request,
      httpStatus: reply.status,
      ...(duoCode === undefined ? {} : { duoCode }),
      ...(fail.data.message == null ? {} : { duoMessage: fail.data.message }),
      ...(fail.data.message_detail == null ? {} : { detail: fail.data.message_detail }),
      ...(ctx.skewMs === undefined ? {} : { clockSkewMs: ctx.skewMs }),
      secrets: ctx.secrets,
    });
  }
  const ok = okSchema.safeParse(json);
  if (!ok.success) throw badResponse(ctx, reply, 'JSON without a Duo envelope (stat OK/FAIL)');
  const meta = (ok.data as { metadata?: unknown }).metadata;
  const paging = v1PagingSchema.safeParse(meta !== null && typeof meta === 'object' ? meta : json);
  return { response: ok.data.response, paging: paging.success ? paging.data : {} };
}

function failWithoutEnvelope(reply: RawReply, ctx: ReplyContext): never {
  const kind = classifyDuoFailure(reply.status, undefined, ctx.skewMs);
  throw new DuoApiError({
    kind,
    request: ctx.request,
    httpStatus: reply.status,
    text: `HTTP ${String(reply.status)} without a Duo error body`,
    ...(ctx.skewMs === undefined ? {} : { clockSkewMs: ctx.skewMs }),
    secrets: ctx.secrets,
  });
}

/** Validates `response` against a schema; failures name the paths, never the values (they may be PII). */
export function parseResponse<T>(schema: z.ZodType<T>, value: unknown, ctx: ReplyContext): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new DuoApiError({
    kind: 'bad_response',
    request: ctx.request,
    text: `reply does not match the expected shape: ${issues}`,
    secrets: ctx.secrets,
  });
}
