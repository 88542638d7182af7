/**
 * The bounded-state part of bench/detect.bench.ts, in its own process so its peak RSS is the engine's alone
 * (not the emulator tenants and events of the other parts). USERS users × 30 days of successful logins, three a
 * day (one by remembered device), from a few addresses each. Baselines are serialized as for the database
 * (which is another process in production) and their bytes counted, not kept: the process holds the engine's
 * state only. Prints one JSON line: events, peak RSS, heap after a full collection, entities, bytes saved.
 */
import type { CollectedEvent } from '../src/app/index.js';
import type { BaselineStore } from '../src/detect/baseline.js';
import { createEngine } from '../src/detect/engine.js';
import { openGeo } from '../src/detect/geo.js';

const DAY = 86_400_000;
const users = Number(process.argv[2] ?? '100000');
const start = Date.UTC(2026, 9, 19);
let savedBytes = 0;
let savedRows = 0;
const database: BaselineStore = {
  load: () => Promise.resolve(new Map()), // every user is new to this run
  save(rows) {
    for (const r of rows) savedBytes += JSON.stringify(r.data).length;
    savedRows += rows.length;
    return Promise.resolve();
  },
};
const engine = createEngine({ geo: await openGeo(), baselines: database });
let n = 0;
for (let d = 0; d < 30; d++) {
  for (let slot = 0; slot < 3; slot++) {
    let batch: CollectedEvent[] = [];
    for (let u = 0; u < users; u++) {
      const ts = start + d * DAY + slot * 8 * 3_600_000 + (u % 3_600) * 1000;
      batch.push({
        id: `s${n++}`,
        stream: 'auth',
        orgId: 'big',
        orgSlug: 'big',
        ts,
        raw: {
          user: { key: `DU${u}`, name: `user${u}` },
          result: 'success',
          reason: 'user_approved',
          factor: slot === 2 ? 'remembered_device' : 'duo_push',
          access_device: {
            ip: `81.2.${(u >> 8) & 255}.${(u + (d % 3)) & 255}`,
            location: { city: 'London', state: 'England', country: 'United Kingdom' },
          },
          application: { key: 'DI1', name: 'VPN' },
        },
      });
      if (batch.length === 5000) {
        await engine.process(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await engine.process(batch);
  }
}
await engine.flush();
(globalThis as { detectBenchEngine?: unknown }).detectBenchEngine = engine; // kept for heap snapshots
const stats = engine.stats();
// What the engine really holds: the heap after a full collection (the process runs with --expose-gc).
(globalThis as { gc?: () => void }).gc?.();
process.stdout.write(
  JSON.stringify({
    events: n,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    retainedHeapMb: Math.round(process.memoryUsage().heapUsed / 1048576),
    entities: stats.entities,
    evicted: stats.evicted,
    savedRows,
    savedMb: Math.round(savedBytes / 1048576),
  }) + '\n',
);
