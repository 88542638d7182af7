import { Secret, redacted } from '../vault/secret.js';

// Keys whose values are secrets whatever the caller meant; checked case-insensitively on the key name.
const SECRET_KEY = /(skey|secret|password|passwd|token|authorization|cookie|ikey|master.?key|private.?key)/i;

/** A deep copy of audit details with secret-looking fields and `Secret` values replaced by `[redacted]`. */
export function redactDetails(value: Record<string, unknown>): Record<string, unknown> {
  return walk(value, 0) as Record<string, unknown>;
}

function walk(value: unknown, depth: number): unknown {
  if (value instanceof Secret) return redacted;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    out[key] = SECRET_KEY.test(key) ? redacted : walk(v, depth + 1);
  return out;
}
