import { describe, expect, it } from 'vitest';
import { HOUR_MS, MIN, only, run, T0, telephony, trustMonitor } from '../test-events.test-helpers.js';

describe('duo.telephony_credit_spike', () => {
  const quietDay = () =>
    Array.from({ length: 48 }, (_, i) => telephony(T0 - 48 * HOUR_MS + i * HOUR_MS, { credits: 2 }));
  it('fires when an hour uses ≥ 100 credits and > 5 × the average hour', async () => {
    const spike = Array.from({ length: 60 }, (_, i) =>
      telephony(T0 + i * MIN, { credits: 2, phone: `+1555000${i}` }),
    );
    const [alert] = only(await run([...quietDay(), ...spike]), 'duo.telephony_credit_spike');
    expect(alert?.entity).toBe('acme');
  });
  it('does not fire below the floor, nor for an organization that always uses this much', async () => {
    const small = Array.from({ length: 40 }, (_, i) => telephony(T0 + i * MIN, { credits: 2 }));
    expect(only(await run([...quietDay(), ...small]), 'duo.telephony_credit_spike')).toEqual([]);
    const busy = Array.from({ length: 48 }, (_, i) =>
      telephony(T0 - 48 * HOUR_MS + i * HOUR_MS, { credits: 100 }),
    );
    const hour = Array.from({ length: 60 }, (_, i) => telephony(T0 + i * MIN, { credits: 2 }));
    expect(only(await run([...busy, ...hour]), 'duo.telephony_credit_spike')).toEqual([]);
  });
  it('sums a sliding hour across the top of the hour', async () => {
    const top = Date.parse('2026-03-02T13:00:00Z');
    const spike = Array.from({ length: 50 }, (_, i) => telephony(top - 25 * MIN + i * MIN, { credits: 2 }));
    expect(only(await run([...quietDay(), ...spike]), 'duo.telephony_credit_spike')).toHaveLength(1);
  });
});

describe('duo.telephony_many_numbers', () => {
  it('fires at 40 distinct numbers in an hour', async () => {
    const events = Array.from({ length: 40 }, (_, i) => telephony(T0 + i * MIN, { phone: `+4470000${i}` }));
    expect(only(await run(events), 'duo.telephony_many_numbers')).toHaveLength(1);
  });
  it('does not fire for many messages to few numbers, nor for 40 numbers over more than an hour', async () => {
    const few = Array.from({ length: 100 }, (_, i) =>
      telephony(T0 + i * 10_000, { phone: `+4470000${i % 5}` }),
    );
    expect(only(await run(few), 'duo.telephony_many_numbers')).toEqual([]);
    const slow = Array.from({ length: 40 }, (_, i) => telephony(T0 + i * 2 * MIN, { phone: `+4470000${i}` }));
    expect(only(await run(slow), 'duo.telephony_many_numbers')).toEqual([]);
  });
});

describe('duo.trust_monitor', () => {
  it('raises every surfaced event, priority ones as high', async () => {
    const alerts = only(
      await run([trustMonitor(T0), trustMonitor(T0, { priority: true, user: 'bob' })]),
      'duo.trust_monitor',
    );
    expect(alerts.map((a) => [a.entity, a.severity])).toEqual([
      ['alice', 'medium'],
      ['bob', 'high'],
    ]);
  });
  it('can be disabled per organization', async () => {
    const alerts = await run([trustMonitor(T0)], {
      config: {
        enabled: true,
        rules: {},
        allow: {},
        orgs: { acme: { rules: { 'duo.trust_monitor': { enabled: false } } } },
      },
    });
    expect(alerts).toEqual([]);
  });
});
