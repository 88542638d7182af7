import { performance } from 'node:perf_hooks';
import type { CollectedEvent } from '../src/app/index.js';
import { createEngine } from '../src/detect/engine.js';
import { emulatorEvents, toLine } from '../src/detect/emulator-events.test-helpers.js';
import { foldDetections } from '../src/detect/fold.js';
import { openGeo } from '../src/detect/geo.js';
import { parseCollectedLine } from '../src/detect/replay.js';
import { catalogue } from '../src/detect/rules/index.js';
import { createClock, createTenant } from '../src/emulator/world/index.js';
import type { BenchRow } from './run.js';

/**
 * Detections (docs/detect.md "Numbers"):
 * 1. throughput over a realistic mix from the emulator (1,000 users × 30 days, scenario-free baseline plus
 *    every attack scenario), all rules on with the offline GeoIP database; parse-only cost of the same lines in
 *    the same run;
 * 2. false positives per rule on the scenario-free 30 days (target 0 for high and critical);
 * 3. peak RSS for 100k users × 30 days of synthetic logins (BENCH_SCALE scales the users).
 */
const NOW = Date.UTC(2026, 10, 18, 15, 30);
const DAY = 86_400_000;
const scale = Number(process.env['BENCH_SCALE'] ?? '1');

function tenantEvents(withScenarios: boolean): CollectedEvent[] {
  const clock = createClock({ realNow: () => NOW });
  const t = createTenant(
    { hostname: 'api-bench.duosecurity.com', seed: 'bench', users: 1000, now: NOW },
    clock,
  );
  if (withScenarios) {
    const at = NOW - 2 * DAY;
    t.inject({ kind: 'push_fatigue', at });
    t.inject({ kind: 'fraud', at });
    t.inject({ kind: 'bypass_code_use', at });
    t.inject({ kind: 'new_country', at, country: 'Russia' });
    t.inject({ kind: 'remembered_device_abuse', at });
    t.inject({ kind: 'telephony_fraud', at });
    t.inject({ kind: 'admin_action', action: 'bypass_create', at });
  }
  return emulatorEvents(t, 'bench', NOW - 30 * DAY, NOW);
}

export default async function detectBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const geo = await openGeo();

  // 2. False positives on the scenario-free baseline.
  const baseline = tenantEvents(false);
  const fp = foldDetections(await createEngine({ geo }).process(baseline));
  for (const rule of catalogue) {
    const n = fp.filter((a) => a.rule === rule.id).length;
    rows.push({
      name: `false positives ${rule.id} (${rule.severity})`,
      value: n,
      unit: 'alerts / 30 days, 1,000 users',
      higherIsBetter: false,
      ...(rule.severity === 'high' || rule.severity === 'critical'
        ? { target: { op: '<' as const, value: 1 } }
        : {}),
    });
  }

  // 1. Throughput: parse only, then parse + every rule, over the same lines.
  const lines = tenantEvents(true).map(toLine);
  const rounds = 3;
  let t0 = performance.now();
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < lines.length; i++) parseCollectedLine(lines[i] as string, i + 1);
  const parseRate = (rounds * lines.length) / ((performance.now() - t0) / 1000);
  let detections = 0;
  t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const engine = createEngine({ geo });
    for (let i = 0; i < lines.length; i += 1000) {
      const batch = lines.slice(i, i + 1000).map((l, k) => parseCollectedLine(l, i + k + 1));
      detections += (await engine.process(batch)).length;
    }
    await engine.flush();
  }
  const fullRate = (rounds * lines.length) / ((performance.now() - t0) / 1000);
  rows.push({
    name: 'parse collector lines only',
    value: Math.round(parseRate),
    unit: 'events/s',
    higherIsBetter: true,
    note: `${lines.length} emulator events (1,000 users, 30 days, scenarios) × ${rounds}`,
  });
  rows.push({
    name: `parse + all ${catalogue.length} rules (GeoIP on)`,
    value: Math.round(fullRate),
    unit: 'events/s',
    higherIsBetter: true,
    baseline: { name: 'parse only', value: Math.round(parseRate) },
    target: { op: '>', value: 300_000 },
    note: `${detections / rounds} detections per round; one process, one core`,
  });

  // 3. Bounded state: users × 30 days of logins (3 a day, a few addresses each), peak RSS.
  const users = Math.round(100_000 * scale);
  const engine = createEngine({ geo });
  const start = NOW - 30 * DAY;
  let n = 0;
  for (let d = 0; d < 30; d++) {
    for (let slot = 0; slot < 3; slot++) {
      const batch: CollectedEvent[] = [];
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
        if (batch.length === 5000) await engine.process(batch.splice(0));
      }
      if (batch.length > 0) await engine.process(batch);
    }
  }
  await engine.flush();
  rows.push({
    name: `peak RSS, ${users.toLocaleString('en')} users × 30 days (${n.toLocaleString('en')} events)`,
    value: Math.round(process.resourceUsage().maxRSS / 1024),
    unit: 'MB',
    higherIsBetter: false,
    target: { op: '<', value: 400 },
    note: 'baselines in the in-memory store (JSON text, as in the database) count here too',
  });
  return rows;
}
