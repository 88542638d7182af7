import { describe, expect, it } from 'vitest';
import { createLogEventHub, type CollectedEvent } from '../../app/index.js';
import { FactorHealth } from './factor-health.js';

const cfg = {
  windowMs: 15 * 60_000,
  baselineMs: 24 * 3_600_000,
  minAttempts: 10,
  errorShare: 0.2,
  baselineFactor: 3,
};
const now = Date.UTC(2026, 10, 30, 12, 0);
let n = 0;
function auth(orgId: string, factor: string, result: string, reason: string, ts: number): CollectedEvent {
  n += 1;
  return {
    id: `e${String(n)}`,
    stream: 'auth',
    orgId,
    orgSlug: orgId,
    ts,
    raw: { factor, result, reason, txid: `t${String(n)}` },
  };
}

describe('per-factor health from the authentication log', () => {
  it('flags telephony failing alone while push keeps working, from events published on a real hub', async () => {
    const health = new FactorHealth(cfg);
    const hub = createLogEventHub((e) => {
      throw e;
    });
    hub.subscribe((events) => health.ingest(events, now));
    const events: CollectedEvent[] = [];
    // Baseline: the previous hours, telephony and push both fine (2 % of calls unanswered, as usual).
    for (let i = 0; i < 100; i++) {
      const ts = now - 2 * 3_600_000 + i * 60_000;
      events.push(auth('acme', 'phone_call', 'success', 'user_approved', ts));
      events.push(auth('acme', 'duo_push', 'success', 'user_approved', ts));
      if (i % 50 === 0) events.push(auth('acme', 'phone_call', 'failure', 'no_response', ts));
    }
    // The last 15 minutes: calls error out, pushes succeed; a user's own denials do not count as failures.
    for (let i = 0; i < 12; i++) {
      const ts = now - 10 * 60_000 + i * 30_000;
      events.push(
        auth('acme', 'phone_call', i < 9 ? 'error' : 'success', i < 9 ? 'error' : 'user_approved', ts),
      );
      events.push(
        auth('acme', 'duo_push', i < 3 ? 'denied' : 'success', i < 3 ? 'user_mistake' : 'user_approved', ts),
      );
    }
    await hub.publish(events);
    const readings = Object.fromEntries(health.read('acme', now).map((r) => [r.factor, r]));
    expect(readings['phone_call']).toMatchObject({ attempts: 12, failures: 9, degraded: true });
    expect(readings['phone_call']?.baselineShare).toBeCloseTo(2 / 102, 3);
    expect(readings['duo_push']).toBeUndefined();
    expect(readings['push']).toMatchObject({ attempts: 12, failures: 0, degraded: false });
    expect(health.issues('acme', now)).toEqual([
      'factor phone_call failing: 9 of 12 attempts (75.0 %) in the last 15 min, baseline 2.0 %',
    ]);
    expect(health.issues('other-org', now)).toEqual([]);
  });

  it('needs enough attempts, and a factor always this flaky is not flagged against its own baseline', () => {
    const health = new FactorHealth(cfg);
    const few = [0, 1, 2].map((i) => auth('o', 'sms_passcode', 'error', 'error', now - i * 60_000));
    health.ingest(few, now);
    expect(health.issues('o', now)).toEqual([]);
    const flaky = new FactorHealth(cfg);
    const events: CollectedEvent[] = [];
    for (let i = 0; i < 200; i++)
      events.push(
        auth('o', 'sms_passcode', i % 4 === 0 ? 'error' : 'success', 'x', now - 3_600_000 - i * 60_000),
      );
    for (let i = 0; i < 20; i++)
      events.push(auth('o', 'sms_passcode', i % 4 === 0 ? 'error' : 'success', 'x', now - i * 30_000));
    flaky.ingest(events, now);
    expect(flaky.read('o', now)[0]).toMatchObject({
      factor: 'sms',
      attempts: 20,
      failures: 5,
      degraded: false,
    });
  });

  it('ignores a baseline of too few attempts, and flags a window where every attempt failed', () => {
    const calls = (baseline: string[], window: string[]): FactorHealth => {
      const health = new FactorHealth(cfg);
      health.ingest(
        [
          ...baseline.map((r, i) => auth('o', 'phone_call', r, 'x', now - 3_600_000 - i * 60_000)),
          ...window.map((r, i) => auth('o', 'phone_call', r, 'x', now - i * 30_000)),
        ],
        now,
      );
      return health;
    };
    const twelve = (result: string) => Array.from({ length: 12 }, () => result);
    // One unanswered call in three over the last hours (the emulator's ordinary traffic): no baseline to speak of.
    const thin = calls(['error', 'success', 'success'], twelve('error'));
    expect(thin.read('o', now)[0]).toMatchObject({ failures: 12, baselineAttempts: 3, degraded: true });
    // Half failing in the window against a thin baseline of two in three: compared with the absolute limit only.
    const half = calls(
      ['error', 'error', 'success'],
      twelve('error').map((r, i) => (i % 2 === 0 ? r : 'success')),
    );
    expect(half.read('o', now)[0]).toMatchObject({ failures: 6, degraded: true });
    // A well-sampled baseline where a third fails: half failing now is within three times it, all failing is not.
    const flakyBaseline = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 'error' : 'success'));
    const flakyHalf = calls(
      flakyBaseline,
      twelve('error').map((r, i) => (i % 2 === 0 ? r : 'success')),
    );
    expect(flakyHalf.read('o', now)[0]).toMatchObject({ failures: 6, degraded: false });
    expect(calls(flakyBaseline, twelve('error')).read('o', now)[0]).toMatchObject({
      failures: 12,
      degraded: true,
    });
  });
});
