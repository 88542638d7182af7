import { z } from 'zod';

/**
 * Duo adds fields and values over time and leaves many of them null or absent (docs/duo-wire.md §5), so every
 * wire object keeps unknown fields (`looseObject`) and every field we do not strictly need is `nullish`.
 * Enumerations stay open strings: a new Duo factor must not turn a whole log page into an error.
 */
export const str = z.string().nullish();
export const num = z.number().nullish();
export const bool = z.boolean().nullish();
/** Duo writes some booleans as `"unknown"` (auth log `is_*_enabled`). */
export const triBool = z.union([z.boolean(), z.literal('unknown'), z.string()]).nullish();
/** Timestamps Duo writes as numbers, sometimes as numeric strings. */
export const numLike = z.union([z.number(), z.string()]).nullish();
export const strList = z.array(z.string()).nullish();
export const anyRecord = z.record(z.string(), z.unknown());

/** An open enumeration: autocompletes the known values, accepts any other string. */
export function openEnum<const T extends readonly string[]>(_known: T): z.ZodType<T[number] | (string & {})> {
  return z.string();
}

export const obj = z.looseObject;
