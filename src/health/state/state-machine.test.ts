import { describe, expect, it } from 'vitest';
import {
  initialState,
  step,
  type MonitorState,
  type ProbeObservation,
  type StateMachineConfig,
} from './state-machine.js';

const cfg: StateMachineConfig = {
  retries: 3,
  recoveries: 2,
  latencyP95ThresholdMs: 1000,
  latencyWindowMs: 10 * 60_000,
  latencyMinSamples: 5,
  clockSkewAlertS: 30,
};

/** Drives the machine on an injected clock: one probe a minute from t0. */
function driver(start = Date.UTC(2026, 0, 1)) {
  let state: MonitorState = initialState(start);
  let t = start;
  const log: string[] = [];
  const probe = (over: Partial<ProbeObservation> = {}) => {
    t += 60_000;
    const r = step(
      state,
      {
        at: t,
        healthy: true,
        reason: 'ok',
        latencyMs: 100,
        clockSkewS: 0,
        maintenance: false,
        factorIssues: [],
        ...over,
      },
      cfg,
    );
    state = r.next;
    if (r.transition !== null) log.push(`${r.transition.from}->${r.transition.to}`);
    for (const a of r.alerts) log.push(`alert:${a.kind}`);
    return r;
  };
  return {
    probe,
    get state() {
      return state;
    },
    log,
    get now() {
      return t;
    },
  };
}

const fail = { healthy: false, reason: 'unreachable: timeout', latencyMs: null };

describe('health state machine', () => {
  it('UP → PENDING below the retry count → DOWN at it; one alert, with the time of the change', () => {
    const d = driver();
    d.probe();
    expect(d.state.state).toBe('UP');
    d.probe(fail);
    expect(d.state.state).toBe('PENDING');
    expect(d.state.reason).toMatch(/failure 1 of 3/);
    d.probe(fail);
    expect(d.state.state).toBe('PENDING');
    d.probe(fail);
    expect(d.state.state).toBe('DOWN');
    expect(d.state.since).toBe(d.now);
    d.probe(fail);
    expect(d.log).toEqual(['PENDING->UP', 'UP->PENDING', 'PENDING->DOWN', 'alert:down']);
  });

  it('a single lost probe never alerts: PENDING back to UP on the next good probe', () => {
    const d = driver();
    d.probe();
    d.probe(fail);
    d.probe();
    expect(d.state.state).toBe('UP');
    expect(d.log.filter((l) => l.startsWith('alert'))).toEqual([]);
  });

  it('recovery from DOWN needs its own number of good probes (hysteresis), then alerts recovered once', () => {
    const d = driver();
    for (let i = 0; i < 3; i++) d.probe(fail);
    expect(d.state.state).toBe('DOWN');
    d.probe();
    expect(d.state.state).toBe('DOWN');
    expect(d.state.reason).toMatch(/recovering: 1 of 2/);
    d.probe(fail);
    d.probe();
    expect(d.state.state).toBe('DOWN');
    d.probe();
    expect(d.state.state).toBe('UP');
    expect(d.log.filter((l) => l.startsWith('alert'))).toEqual(['alert:down', 'alert:recovered']);
  });

  it('DEGRADED when the window p95 is above the threshold, back after clear probes; slow samples age out', () => {
    const d = driver();
    for (let i = 0; i < 4; i++) d.probe({ latencyMs: 3000 });
    // Fewer than minSamples: no verdict yet.
    expect(d.state.state).toBe('UP');
    d.probe({ latencyMs: 3000 });
    expect(d.state.state).toBe('DEGRADED');
    expect(d.state.reason).toMatch(/p95 3000 ms over 10 min is above 1000 ms/);
    // Fast probes: the slow ones stay in the 10-minute window until they age out.
    for (let i = 0; i < 5; i++) d.probe({ latencyMs: 50 });
    expect(d.state.state).toBe('DEGRADED');
    for (let i = 0; i < 6; i++) d.probe({ latencyMs: 50 });
    expect(d.state.state).toBe('UP');
    expect(d.log.filter((l) => l.startsWith('alert'))).toEqual(['alert:degraded', 'alert:recovered']);
  });

  it('a failing factor degrades an integration whose probes pass', () => {
    const d = driver();
    d.probe();
    d.probe({ factorIssues: ['phone_call failing: 80 % errors (baseline 2 %)'] });
    expect(d.state.state).toBe('DEGRADED');
    expect(d.state.reason).toContain('phone_call failing');
    d.probe();
    expect(d.state.state).toBe('DEGRADED');
    d.probe();
    expect(d.state.state).toBe('UP');
  });

  it('MAINTENANCE silences alerts; what is still wrong when the window closes alerts then', () => {
    const d = driver();
    d.probe();
    d.probe({ maintenance: true });
    expect(d.state.state).toBe('MAINTENANCE');
    for (let i = 0; i < 4; i++) d.probe({ ...fail, maintenance: true });
    expect(d.state.state).toBe('MAINTENANCE');
    expect(d.state.base).toBe('DOWN');
    expect(d.log.filter((l) => l.startsWith('alert'))).toEqual([]);
    d.probe(fail);
    expect(d.state.state).toBe('DOWN');
    expect(d.log.filter((l) => l.startsWith('alert'))).toEqual(['alert:down']);
  });

  it('clock skew over 30 s alerts once until it comes back under', () => {
    const d = driver();
    d.probe({ clockSkewS: 31 });
    d.probe({ clockSkewS: 45 });
    d.probe({ clockSkewS: 2 });
    d.probe({ clockSkewS: -40 });
    expect(d.log.filter((l) => l.startsWith('alert'))).toEqual(['alert:clock_skew', 'alert:clock_skew']);
  });
});
