import { describe, expect, it } from 'vitest';
import { createFaultPlan, parseFaultShorthand } from './index.js';

describe('fault plan', () => {
  it('parses kind[:path][@probability]', () => {
    expect(parseFaultShorthand('rate_limit:/admin/v2/logs/*@0.25')).toEqual({
      kind: 'rate_limit',
      path: '/admin/v2/logs/*',
      probability: 0.25,
    });
    expect(parseFaultShorthand('drop')).toEqual({ kind: 'drop' });
    expect(() => parseFaultShorthand('explode:/x')).toThrow(/kind one of/);
  });

  it('matches path patterns, methods and hosts; counts storms', () => {
    const plan = createFaultPlan('s');
    plan.add({ kind: 'error', path: '/admin/v2/logs/*', method: 'get', count: 2 });
    plan.add({ kind: 'latency', host: 'api-a.duosecurity.com' });
    const decide = (method: string, path: string, host = 'api-b.duosecurity.com'): string[] =>
      plan.decide({ method, path, host }).map((f) => f.kind);
    expect(decide('GET', '/admin/v1/users')).toEqual([]);
    expect(decide('POST', '/admin/v2/logs/authentication')).toEqual([]);
    expect(decide('GET', '/admin/v2/logs/authentication')).toEqual(['error']);
    expect(decide('GET', '/admin/v2/logs/telephony', 'API-A.duosecurity.com')).toEqual(['error', 'latency']);
    expect(decide('GET', '/admin/v2/logs/activity')).toEqual([]);
    expect(plan.list().find((f) => f.kind === 'error')).toMatchObject({ fired: 2 });
  });

  it('fires about as often as its probability, the same way for the same seed', () => {
    const run = (seed: string): boolean[] => {
      const plan = createFaultPlan(seed, [{ kind: 'error', probability: 0.3 }]);
      return Array.from(
        { length: 1000 },
        () => plan.decide({ method: 'GET', path: '/x', host: 'h' }).length > 0,
      );
    };
    const a = run('one');
    const rate = a.filter(Boolean).length / a.length;
    expect(rate).toBeGreaterThan(0.25);
    expect(rate).toBeLessThan(0.35);
    expect(run('one')).toEqual(a);
    expect(run('two')).not.toEqual(a);
  });
});
