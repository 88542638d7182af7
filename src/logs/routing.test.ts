import { describe, expect, it } from 'vitest';
import type { CollectedEvent } from '../app/index.js';
import type { LogRoute } from './logs-config.js';
import { fieldOf, matchesWhere, planRoutes } from './routing.js';
import type { LogSink } from './sinks/index.js';

function recorder(name: string): LogSink & { got: string[] } {
  const got: string[] = [];
  return {
    name,
    guarantee: 'at_least_once',
    got,
    send(batch) {
      got.push(...batch.map((e) => e.id));
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

const ev = (id: string, stream: CollectedEvent['stream'], raw: Record<string, unknown>): CollectedEvent => ({
  id,
  stream,
  orgId: 'o1',
  orgSlug: 'acme',
  ts: 0,
  raw,
});

describe('route filters', () => {
  it('read dotted paths and treat a missing field as not equal', () => {
    const raw = { result: 'denied', access_device: { os: 'Windows' }, n: 3 };
    expect(fieldOf(raw, 'access_device.os')).toBe('Windows');
    expect(fieldOf(raw, 'access_device.os.version')).toBeUndefined();
    expect(matchesWhere([{ field: 'result', in: ['denied', 'fraud'] }], raw)).toBe(true);
    expect(matchesWhere([{ field: 'result', equals: 'success' }], raw)).toBe(false);
    expect(
      matchesWhere(
        [
          { field: 'n', equals: 3 },
          { field: 'access_device.os', notEquals: 'Windows' },
        ],
        raw,
      ),
    ).toBe(false);
    expect(matchesWhere([{ field: 'missing', equals: 'x' }], raw)).toBe(false);
    expect(matchesWhere([{ field: 'missing', notIn: ['x'] }], raw)).toBe(true);
  });
});

describe('planRoutes', () => {
  const routes: LogRoute[] = [
    { org: '*', streams: ['*'], sinks: ['all'], where: [] },
    { org: 'acme', streams: ['auth'], sinks: ['siem'], where: [{ field: 'result', equals: 'denied' }] },
    { org: 'acme', streams: ['auth'], sinks: ['siem'], where: [{ field: 'result', equals: 'fraud' }] },
    { org: 'globex', streams: ['admin', 'alerts'], sinks: ['siem'], where: [] },
  ];
  it('collects the organizations and streams the routes name; alerts only when named', () => {
    const plan = planRoutes(routes, new Map<string, LogSink>([['siem', recorder('siem')]]));
    expect(plan.collects('initech')).toBe(true);
    expect(plan.streams('acme')).toHaveLength(6);
    expect(planRoutes(routes.slice(1), new Map()).streams('acme')).toEqual(['auth']);
    expect(planRoutes(routes.slice(1), new Map()).collects('initech')).toBe(false);
    expect(plan.sinksFor('acme', 'alerts').map((s) => s.name)).toEqual([]);
    expect(plan.sinksFor('globex', 'alerts').map((s) => s.name)).toEqual(['siem']);
  });

  it('delivers each event to the union of the sinks whose routes admit it', async () => {
    const all = recorder('all');
    const siem = recorder('siem');
    const plan = planRoutes(
      routes,
      new Map<string, LogSink>([
        ['all', all],
        ['siem', siem],
      ]),
    );
    const batch = [
      ev('a', 'auth', { result: 'denied' }),
      ev('b', 'auth', { result: 'success' }),
      ev('c', 'auth', { result: 'fraud' }),
    ];
    const signal = new AbortController().signal;
    for (const sink of plan.sinksFor('acme', 'auth')) await sink.send(batch, signal);
    expect(all.got).toEqual(['a', 'b', 'c']);
    expect(siem.got).toEqual(['a', 'c']);
    expect(plan.sinksFor('acme', 'admin').map((s) => s.name)).toEqual(['all']);
  });
});
