import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { defineRule, MINUTE, type Rule } from './rule.js';
import { auth, MIN, T0 } from './test-events.test-helpers.js';

/** A rule that fires on every event it is given and counts its calls. */
function counting(id: string, results?: readonly string[]): Rule & { calls: number } {
  const rule = {
    calls: 0,
    ...defineRule({
      id,
      title: id,
      severity: 'low',
      mitre: 'T1078',
      entity: 'user',
      streams: ['auth'],
      ...(results === undefined ? {} : { results }),
      suppressionMs: MINUTE,
      logic: 'every event',
      evaluate: (e) => {
        rule.calls++;
        return { entity: e.user ?? '?', eventIds: [e.id] };
      },
    }),
  };
  return rule;
}

describe('the engine indexes rules by stream and result', () => {
  it('calls a rule that names its results only for those, and every other rule for every event', async () => {
    const denials = counting('t.denials', ['denied', 'failure']);
    const all = counting('t.all');
    const engine = createEngine({ catalogue: [denials, all] });
    const results = ['success', 'DENIED', 'success', 'failure', 'fraud', 'denied'];
    const detections = await engine.process(results.map((result, i) => auth(T0 + i * MIN, { result })));
    expect(all.calls).toBe(6);
    expect(denials.calls).toBe(3); // Duo's upper-case results are matched lower-cased
    expect(detections.filter((d) => d.rule === 't.denials').map((d) => d.ts)).toEqual([
      T0 + MIN,
      T0 + 3 * MIN,
      T0 + 5 * MIN,
    ]);
  });
});
