/**
 * The one shared copy of a string, as V8 keeps it for property names ("internalized"). Two internalized strings
 * are equal only if they are the same object, so comparing a user's key with others (the users of an address in
 * org-places.ts, each a string of the same length) is one pointer comparison instead of a compare of their
 * characters (docs/detect.md "Throughput, eighth pass"). For strings held long (a user's key), not per event:
 * it costs a lookup in V8's string table.
 */
export function intern(s: string): string {
  const holder: Record<string, true> = { [s]: true };
  for (const k in holder) return k;
  return s;
}
