/**
 * Users' `last_login` derived from the tenant's own authentication log, so the inventory and the log describe
 * one world (dormant-account evidence and inventory rules read `last_login`; detections read the log).
 *
 * `last_login` is the second of the user's newest successful authentication at or before now. The first read
 * walks the log backwards a day at a time until every user who can log in has been seen (or history ends);
 * later reads only walk forward over what emulated time added since. Users whose facet (the generator's user
 * key) is already resolved are skipped without building their events, so the walk costs little per event.
 */
import type { LogStream } from './log-stream.js';
import type { AuthLogEvent, WireUser } from './wire-types.js';

const DAY_MS = 86_400_000;
/**
 * Above this many users the backwards walk would cost seconds (a 30,000-user tenant has ~100k events a day),
 * so the generated values are kept (docs/emulator.md, "Not emulated").
 */
export const LAST_LOGIN_MAX_USERS = 5000;

export interface LastLoginIndex {
  /** Brings every user's `last_login` up to emulated `now` (ms). */
  refresh(now: number): void;
}

export function createLastLoginIndex(
  stream: LogStream<AuthLogEvent>,
  users: () => WireUser[],
  startMs: number,
): LastLoginIndex {
  /** user id → newest success in seconds, or null after a full walk found none */
  let newest: Map<string, number> | null = null;
  let scannedTo = startMs - 1;

  /** The first time the generated values are replaced; later only raised (the Auth API engine raises them too). */
  const apply = (first: boolean): void => {
    const map = newest as Map<string, number>;
    for (const u of users()) {
      const s = map.get(u.user_id) ?? null;
      u.last_login = first ? s : s === null ? u.last_login : Math.max(s, u.last_login ?? 0);
    }
  };

  const initial = (now: number): void => {
    const found = new Map<string, number>();
    // Users of these statuses are refused by the generator's policy, but may still have had successes
    // injected (scenarios, the Auth API engine); the walk stops once every user that *can* succeed is seen.
    const open = new Set(
      users()
        .filter((u) => u.status === 'active' || u.status === 'bypass')
        .map((u) => u.user_id),
    );
    const pred = (e: AuthLogEvent): boolean => {
      if (e.result === 'success' && !found.has(e.user.key)) {
        found.set(e.user.key, e.timestamp);
        open.delete(e.user.key);
      }
      return false; // nothing is collected; the walk only records
    };
    const facetOk = (userKey: string): boolean => !found.has(userKey);
    for (let hi = now; hi >= startMs && open.size > 0; hi -= DAY_MS) {
      const lo = Math.max(startMs, hi - DAY_MS + 1);
      stream.page(lo, hi, 1, true, undefined, pred, facetOk);
    }
    newest = found;
    scannedTo = now;
  };

  const forward = (now: number): void => {
    const map = newest as Map<string, number>;
    const pred = (e: AuthLogEvent): boolean => {
      if (e.result === 'success' && (map.get(e.user.key) ?? -1) < e.timestamp)
        map.set(e.user.key, e.timestamp);
      return false;
    };
    stream.page(scannedTo + 1, now, 1, false, undefined, pred);
    scannedTo = now;
  };

  return {
    refresh(now) {
      if (users().length > LAST_LOGIN_MAX_USERS) return;
      const first = newest === null;
      if (first) initial(now);
      else if (now > scannedTo) forward(now);
      apply(first);
    },
  };
}
