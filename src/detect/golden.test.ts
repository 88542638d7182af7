/**
 * The engine's whole output over the benchmark's realistic mix (1,000 emulated users, 30 days, every attack
 * scenario; the lines the collector writes, parsed as `detect replay` parses them) against a record taken
 * before the engine's performance work: every detection with its fields, and the folded alerts exactly as
 * `detect replay --json` prints them. A faster engine must give the same results, not nearly the same.
 *
 * When a rule's logic or the emulator's baseline changes on purpose, record again with
 * `UPDATE_DETECT_GOLDEN=1 npx vitest run src/detect/golden.test.ts && npx prettier --write src/detect/golden`
 * and say why in the commit.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mixConfig, tenantEvents } from './bench-mix.test-helpers.js';
import { toLine } from './emulator-events.test-helpers.js';
import { createEngine, type Detection } from './engine.js';
import { foldDetections } from './fold.js';
import { openGeo } from './geo.js';
import { parseCollectedLine } from './replay.js';

const GOLDEN = new URL('./golden/bench-mix.json', import.meta.url);

interface Golden {
  events: number;
  /** Every rule firing: the detections' counts summed (a digest's firings in one batch are one detection). */
  firings: number;
  detections: number;
  alerts: number;
  /** sha256 of every detection as JSON, one per line, in the engine's order. */
  detectionsSha256: string;
  /** sha256 of the `detect replay --json` lines. */
  alertsSha256: string;
  /** Alerts and summed counts per rule, so a mismatch says where. */
  perRule: Record<string, [alerts: number, count: number]>;
}

const sha256 = (lines: readonly string[]): string => {
  const h = createHash('sha256');
  for (const l of lines) h.update(l + '\n');
  return h.digest('hex');
};

describe('the engine over the benchmark mix (golden)', () => {
  it('gives exactly the recorded detections and alerts', { timeout: 300_000 }, async () => {
    const lines = tenantEvents(true, 30).map(toLine);
    const engine = createEngine({ geo: await openGeo(), config: mixConfig() });
    const detections: Detection[] = [];
    for (let i = 0; i < lines.length; i += 1000) {
      const batch = lines.slice(i, i + 1000).map((l, k) => parseCollectedLine(l, i + k + 1));
      detections.push(...(await engine.process(batch)));
    }
    await engine.flush();
    const alerts = foldDetections(detections);
    const perRule: Golden['perRule'] = {};
    for (const a of alerts) {
      const cur = (perRule[a.rule] ??= [0, 0]);
      cur[0]++;
      cur[1] += a.count;
    }
    const actual: Golden = {
      events: lines.length,
      firings: detections.reduce((n, d) => n + d.count, 0),
      detections: detections.length,
      alerts: alerts.length,
      detectionsSha256: sha256(detections.map((d) => JSON.stringify(d))),
      alertsSha256: sha256(alerts.map((a) => JSON.stringify(a))),
      perRule: Object.fromEntries(Object.entries(perRule).sort(([a], [b]) => a.localeCompare(b))),
    };
    if (process.env['UPDATE_DETECT_GOLDEN'] === '1')
      writeFileSync(GOLDEN, JSON.stringify(actual, null, 2) + '\n');
    const expected = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
    expect(actual.perRule).toEqual(expected.perRule);
    expect(actual).toEqual(expected);
    // The mix is realistic only if it exercises the catalogue: most rules fire on it.
    expect(Object.keys(actual.perRule).length).toBeGreaterThanOrEqual(15);
  });
});
