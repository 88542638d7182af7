import { describe, expect, it } from 'vitest';
import { createClock, createTenant } from '../emulator/world/index.js';
import { emulatorEvents } from './emulator-events.test-helpers.js';
import { createEngine } from './engine.js';
import { openGeo } from './geo.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const HOUR = 3_600_000;

describe('emulator scenarios fire their rules end to end (real offline GeoIP)', () => {
  it('impossible_travel: home, then Moscow minutes later, is impossible travel for that user', async () => {
    const clock = createClock({ realNow: () => NOW });
    const t = createTenant({ hostname: 'api-it.duosecurity.com', seed: 'it', users: 50, now: NOW }, clock);
    const r = t.inject({ kind: 'impossible_travel', at: NOW - 10 * 60_000, country: 'Russia', minutes: 9 });
    clock.advance(HOUR);
    const events = emulatorEvents(t, 'it', NOW - HOUR, NOW + HOUR);
    const travel = (await createEngine({ geo: await openGeo() }).process(events)).filter(
      (d) => d.rule === 'duo.impossible_travel',
    );
    const mine = travel.filter((d) => d.eventIds.includes(`auth:${r.authTxids[1] ?? ''}`));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.fields).toMatchObject({ minutes: 9 });
    expect(Number(mine[0]?.fields['km'])).toBeGreaterThan(500);
  });
});
