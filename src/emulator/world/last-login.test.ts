import { describe, expect, it } from 'vitest';
import { createClock, createTenant, type Tenant } from './index.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const DAY = 86_400_000;

/** Every successful authentication in the tenant's whole history, walked through the public log query. */
function newestSuccessByUser(t: Tenant, now: number): Map<string, number> {
  const out = new Map<string, number>();
  let after: { ts: number; txid: string } | undefined;
  for (let i = 0; i < 100_000; i++) {
    const page = t.authLog({
      mintime: now - 181 * DAY,
      maxtime: now,
      limit: 1000,
      sort: 'ts:asc',
      filters: { results: ['success'] },
      ...(after === undefined ? {} : { after }),
    });
    for (const e of page.events) out.set(e.user.key, Math.max(out.get(e.user.key) ?? 0, e.timestamp));
    if (page.next === null) return out;
    after = page.next;
  }
  throw new Error('walk did not end');
}

describe('users last_login', () => {
  // Walks 181 days of a 182-user log twice (seconds when idle); the ceiling is for a loaded machine.
  it(
    'is the second of each user’s newest successful authentication in the log, null without one',
    { timeout: 180_000 },
    () => {
      let real = NOW;
      const clock = createClock({ realNow: () => real });
      const t = createTenant(
        { hostname: 'api-ll.duosecurity.com', seed: 'last-login', users: 182, now: NOW },
        clock,
      );
      const expected = newestSuccessByUser(t, NOW);
      const users = t.users();
      expect(expected.size).toBeGreaterThan(100);
      const disagree = users.filter((u) => u.last_login !== (expected.get(u.user_id) ?? null));
      expect(disagree.map((u) => `${u.username}: ${String(u.last_login)}`)).toEqual([]);
      expect(users.some((u) => u.last_login === null)).toBe(true);

      // Two emulated days later the log has grown and last_login follows it.
      real = NOW + 2 * DAY;
      const later = newestSuccessByUser(t, real);
      const again = t.users();
      expect(again.filter((u) => u.last_login !== (later.get(u.user_id) ?? null))).toEqual([]);
      expect(again.some((u) => (u.last_login ?? 0) * 1000 > NOW)).toBe(true);
    },
  );
});
