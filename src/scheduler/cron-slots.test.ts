import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronSlots, jitterDelay } from './cron-slots.js';
import { startSlotDriver } from './slot-driver.js';
import { slotJobId } from './slot-job-id.js';
import type { Timers } from './types.js';

describe('cronSlots (UTC)', () => {
  it('gives the specification identity-sync slots 00, 04, 08, 12, 16, 20 UTC', () => {
    const slots = cronSlots('0 */4 * * *');
    const out: string[] = [];
    let t = Date.parse('2026-03-29T00:30:00Z'); // a European DST change day: UTC must not care
    for (let i = 0; i < 7; i += 1) {
      t = slots.next(t) ?? Number.NaN;
      out.push(new Date(t).toISOString().slice(11, 16));
    }
    expect(out).toEqual(['04:00', '08:00', '12:00', '16:00', '20:00', '00:00', '04:00']);
  });

  it('gives the auth-log poll at :30 every hour', () => {
    const slots = cronSlots('30 * * * *');
    expect(new Date(slots.next(Date.parse('2026-01-01T10:30:00Z')) ?? 0).toISOString()).toBe(
      '2026-01-01T11:30:00.000Z',
    );
    expect(new Date(slots.next(Date.parse('2026-01-01T10:29:59.999Z')) ?? 0).toISOString()).toBe(
      '2026-01-01T10:30:00.000Z',
    );
  });

  it('rejects a malformed pattern with a scheduler error', () => {
    expect(() => cronSlots('61 * * * *')).toThrow(
      expect.objectContaining({ code: 'scheduler_invalid_job' }) as Error,
    );
  });
});

describe('jitterDelay', () => {
  it('always lies in [0, jitterMs] and is a whole number of ms', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (jitter, r) => {
          const d = jitterDelay(jitter, () => r);
          return Number.isInteger(d) && d >= 0 && d <= jitter;
        },
      ),
    );
    expect(jitterDelay(undefined, () => 0.9)).toBe(0);
    expect(jitterDelay(1000, () => 0.9999999999)).toBe(1000);
  });
});

describe('slotJobId', () => {
  it('is a stable RFC 9562 v5 UUID, distinct per kind, slot and target', () => {
    const slot = Date.parse('2026-01-01T04:00:00Z');
    const id = slotJobId('identity-sync', slot, { orgId: 'acme', integrationId: 'i1' });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(slotJobId('identity-sync', slot, { orgId: 'acme', integrationId: 'i1' })).toBe(id);
    const others = [
      slotJobId('auth-log-poll', slot, { orgId: 'acme', integrationId: 'i1' }),
      slotJobId('identity-sync', slot + 1000, { orgId: 'acme', integrationId: 'i1' }),
      slotJobId('identity-sync', slot, { orgId: 'acme', integrationId: 'i2' }),
      slotJobId('identity-sync', slot, {}),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
  });
});

describe('slot driver', () => {
  /** A hand-driven clock and timer list, so a timer can fire late as under a busy event loop. */
  function manual(now: number): {
    clock: { now(): number };
    timers: Timers;
    fireAt(t: number): void;
    armed(): number[];
  } {
    let pending: Array<{ fn: () => void; at: number }> = [];
    const state = { now };
    return {
      clock: { now: () => state.now },
      timers: {
        setTimeout: (fn, ms) => {
          const entry = { fn, at: state.now + ms };
          pending.push(entry);
          return entry;
        },
        clearTimeout: (h) => {
          pending = pending.filter((p) => p !== h);
        },
      },
      fireAt(t) {
        state.now = t;
        const due = pending;
        pending = [];
        for (const p of due) p.fn();
      },
      armed: () => pending.map((p) => p.at),
    };
  }

  it('fires slots a late timer finds within the catch-up window, oldest first, and drops older ones', () => {
    const start = Date.parse('2026-01-01T00:00:00.500Z');
    const m = manual(start);
    const fired: string[] = [];
    const driver = startSlotDriver(cronSlots('* * * * * *'), m.clock, m.timers, (s) =>
      fired.push(new Date(s).toISOString().slice(17, 23)),
    );
    expect(m.armed()).toEqual([start + 500]);
    m.fireAt(start + 2_600); // fires 2.1 s late: slots :01, :02, :03 are due
    expect(fired).toEqual(['01.000', '02.000', '03.000']);
    fired.length = 0;
    m.fireAt(start + 125_000); // two minutes late: only the last 60 s of slots fire
    expect(fired).toHaveLength(60);
    expect(fired[0]).toBe('06.000');
    driver.stop();
    expect(m.armed()).toEqual([]);
  });

  it('re-arms instead of firing when a timer comes back early (clock set back)', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const m = manual(start);
    const fired: number[] = [];
    const driver = startSlotDriver(cronSlots('0 */4 * * *'), m.clock, m.timers, (s) => fired.push(s));
    m.fireAt(start + 60_000); // the 60 s cap woke us; 04:00 is not due yet
    expect(fired).toEqual([]);
    expect(m.armed()).toHaveLength(1);
    m.fireAt(Date.parse('2026-01-01T04:00:00Z'));
    expect(fired).toEqual([Date.parse('2026-01-01T04:00:00Z')]);
    driver.stop();
  });
});
