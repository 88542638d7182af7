import { appDispatcher } from '../src/duo/test-support/app-dispatcher.test-helpers.js';
/**
 * Evidence benchmarks over in-memory pages (the identity sync over the emulator is measured at integration):
 * - the four identity-sync signals (+ extended) for a 30,000-user tenant, through runIdentitySync with an
 *   in-memory reader paging 100 × 300 and an in-memory store (target: < 3 s wall, < 250 MB RSS);
 * - the pure signal functions alone on the same 30,000 users;
 * - one capped auth-log poll (25 pages × 1,000 events) aggregated with the overlap ledger;
 * - 1,000 small tenants (50 users each) synced in one process.
 */
import {
  AuthLogAccumulator,
  mfaEnrollmentSignal,
  planAuthLogWindow,
  runAuthLogPoll,
  runIdentitySync,
  usersInactiveSignal,
  type AuthEventLike,
  type UserLike,
  evidencePortsFromDuoClient,
} from '../src/evidence/index.js';
import { createDuoClient, LimiterRegistry, systemClock } from '../src/duo/index.js';
import { createEmulator } from '../src/emulator/index.js';
import { createMemoryDuoReader, type MemoryTenant } from '../src/evidence/memory-reader.test-helpers.js';
import { createMemoryEvidenceStore } from '../src/evidence/memory-store.test-helpers.js';

interface Row {
  name: string;
  value: number;
  unit: string;
  note?: string;
  target?: { op: '<' | '>'; value: number };
}

const NOW = Date.parse('2026-11-22T12:00:00Z');

function users(n: number): UserLike[] {
  const statuses = ['active', 'active', 'active', 'active', 'bypass', 'disabled', 'locked out'];
  return Array.from({ length: n }, (_, i) => ({
    username: `user${String(i)}@example.com`,
    realname: `User ${String(i)}`,
    status: statuses[i % statuses.length] ?? 'active',
    is_enrolled: i % 10 !== 0,
    last_login: NOW / 1000 - (i % 60) * 86_400,
    phones: i % 3 === 0 ? [{ phone_id: `DP${String(i)}`, capabilities: ['push', 'sms'] }] : [],
    tokens: [],
    u2ftokens: [],
    webauthncredentials: i % 5 === 0 ? [{ credential_name: 'key' }] : [],
    desktoptokens: [],
  }));
}

function tenant(n: number): MemoryTenant {
  return {
    users: users(n),
    admins: Array.from({ length: 8 }, (_, i) => ({
      name: `Admin ${String(i)}`,
      role: i === 0 ? 'Owner' : 'Administrator',
      status: 'Active',
      last_login: NOW / 1000,
    })),
    policies: [
      {
        policy_key: 'PO1',
        is_global_policy: true,
        sections: { authentication_policy: { authentication_policy: 'enforce' } },
      },
    ],
    settings: { lockout_threshold: 10, lockout_expire_duration: 30, minimum_password_length: 12 },
    bypassCodes: [],
  };
}

function rssMb(): number {
  return process.memoryUsage().rss / 1_048_576;
}

export default async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const clock = { now: () => NOW };

  // 1. identity sync, 30,000 users
  const big = tenant(30_000);
  const reader = createMemoryDuoReader(big);
  let t = performance.now();
  const out = await runIdentitySync({
    org: 'big',
    integration: 'i',
    reader,
    store: createMemoryEvidenceStore(),
    clock,
  });
  const syncMs = performance.now() - t;
  const requests = Object.values(reader.requests).reduce((a, b) => a + b, 0);
  rows.push({
    name: 'identity sync, 30,000 users (in-memory pages)',
    value: syncMs,
    unit: 'ms',
    note: `${String(requests)} page reads; truncated=${String(out.signals[0]?.truncated)}`,
    target: { op: '<', value: 3000 },
  });
  rows.push({
    name: 'RSS after 30,000-user sync',
    value: rssMb(),
    unit: 'MB',
    note: `process peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    target: { op: '<', value: 250 },
  });

  // 2. pure signal functions
  t = performance.now();
  for (let i = 0; i < 10; i++) {
    mfaEnrollmentSignal(big.users, { now: NOW });
    usersInactiveSignal(big.users, { now: NOW });
  }
  rows.push({
    name: 'mfa_enrollment + users_inactive on 30,000 users',
    value: (performance.now() - t) / 10,
    unit: 'ms',
    note: 'mean of 10',
  });

  // 3. one capped auth-log poll
  const events: AuthEventLike[] = Array.from({ length: 26_000 }, (_, i) => {
    // Two events a second, ending at the poll's maxtime (now − 2 min), so the overlap ledger is realistic.
    const ms = NOW - 120_000 - (26_000 - i) * 500;
    return {
      timestamp: Math.floor(ms / 1000),
      isotimestamp: new Date(ms).toISOString(),
      event_type: 'authentication',
      result: i % 9 === 0 ? 'denied' : 'success',
      reason: i % 9 === 0 ? 'no_response' : 'user_approved',
      factor: i % 4 === 0 ? 'webauthn' : 'duo_push',
      user: { key: `DU${String(i % 3000)}` },
    };
  });
  t = performance.now();
  const poll = await runAuthLogPoll({
    org: 'big',
    integration: 'i',
    reader: createMemoryDuoReader({ ...tenant(0), authLogs: () => events }),
    store: createMemoryEvidenceStore(),
    clock,
  });
  rows.push({
    name: 'auth-log poll, 25 × 1,000 events (capped)',
    value: performance.now() - t,
    unit: 'ms',
    note: `counted ${String(poll.signals[0]?.metrics['total'])}, truncated=${String(poll.signals[0]?.truncated)}`,
  });
  // Accumulator alone, second poll fully overlapping: cost of the dedup ledger.
  const w = planAuthLogWindow(null, NOW);
  const acc = new AuthLogAccumulator(w);
  t = performance.now();
  acc.add(events);
  const { cursor } = acc.finish(NOW, false);
  rows.push({
    name: 'aggregate 26,000 events + next cursor',
    value: performance.now() - t,
    unit: 'ms',
    note: `ledger rows persisted: ${String(cursor.ledger.length)}`,
  });

  // 4. 1,000 small tenants
  const store = createMemoryEvidenceStore();
  let reqs = 0;
  t = performance.now();
  for (let i = 0; i < 1000; i++) {
    const r = createMemoryDuoReader(tenant(50));
    await runIdentitySync({ org: `org${String(i)}`, integration: 'i', reader: r, store, clock });
    reqs += Object.values(r.requests).reduce((a, b) => a + b, 0);
  }
  rows.push({
    name: 'identity sync of 1,000 tenants × 50 users',
    value: performance.now() - t,
    unit: 'ms',
    note: `${String(reqs)} Duo requests (in-memory); RSS ${rssMb().toFixed(0)} MB`,
  });
  rows.push(...(await overEmulator()));
  return rows;
}

/** Routes the real client's undici-style requests into the emulator's fetch handler (no socket). */

/**
 * The same identity sync through the real Duo client (signing, response validation, paging) against the
 * emulator in this process. The emulator's 30,000-user tenant lives in the same heap, so RSS here is
 * emulator + sync; the lead's integration bench runs the emulator in its own process.
 */
async function overEmulator(): Promise<Row[]> {
  const fixture = { generate: { active: 29_000, bypass: 1_000 }, logs: { authsPerUserPerDay: 0 } };
  const emu = await createEmulator({
    seed: 'evidence-bench',
    rateLimit: false,
    tenantFile: 'bench.json',
    readTextFile: () => Promise.resolve(JSON.stringify(fixture)),
  });
  const t0 = emu.credentials()[0];
  if (t0 === undefined) throw new Error('no tenant');
  let requests = 0;
  const client = createDuoClient({
    ikey: t0.admin.ikey,
    skey: t0.admin.skey,
    host: t0.hostname,
    dispatcher: appDispatcher(emu.app),
    limiter: new LimiterRegistry({ clock: systemClock, ratesPerMinute: { admin_read: Infinity } }),
    log: () => void requests++,
  });
  const rssBefore = rssMb();
  const t = performance.now();
  const out = await runIdentitySync({
    org: 'emu',
    integration: 'i',
    reader: evidencePortsFromDuoClient(client),
    store: createMemoryEvidenceStore(),
    clock: { now: () => emu.control.time().now },
  });
  const ms = performance.now() - t;
  return [
    {
      name: 'identity sync, 30,000 users, real client → in-process emulator',
      value: ms,
      unit: 'ms',
      note: `${String(requests)} signed requests; mfa_enrollment ${String(out.signals[0]?.status)}, total ${String(out.signals[0]?.metrics['total'])}`,
      target: { op: '<', value: 3000 },
    },
    {
      name: 'RSS growth during that sync (emulator shares the process)',
      value: rssMb() - rssBefore,
      unit: 'MB',
      note: `RSS ${rssMb().toFixed(0)} MB incl. the emulator's tenant`,
    },
  ];
}
