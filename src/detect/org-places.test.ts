import { describe, expect, it } from 'vitest';
import { memoryBaselineStore } from './baseline.js';
import { createEngine } from './engine.js';
import { learnOrgPlaces, MAX_ORG_IPS, OrgPlaces, otherUsers, USERS_PER_KEY } from './org-places.js';
import { auth, HOUR_MS, history, only, run, T0 } from './test-events.test-helpers.js';

describe('organization places', () => {
  it('keeps the most recent users of an address and the address’s own first sighting', () => {
    const p = new OrgPlaces();
    for (let i = 0; i < USERS_PER_KEY + 3; i++)
      learnOrgPlaces(p, `u${i}`, '198.51.100.7', null, T0 + i * HOUR_MS);
    const list = p.ips.get('198.51.100.7');
    expect(list?.first).toBe(T0); // first seen by the company, not by its latest user
    expect(otherUsers(list, 'nobody', T0, T0)).toBe(USERS_PER_KEY);
    // The earliest users made room for the latest ones.
    expect(otherUsers(list, 'nobody', T0, T0 + 3 * HOUR_MS)).toBe(USERS_PER_KEY);
    expect(list?.users).not.toContain('u0');
    expect(list?.users).toHaveLength(USERS_PER_KEY);
    // The user asking is not one of the others.
    expect(otherUsers(list, `u${USERS_PER_KEY + 2}`, T0, T0)).toBe(USERS_PER_KEY - 1);
  });
  it('over the cap, drops one-user addresses before shared ones, whatever their age', () => {
    const p = new OrgPlaces();
    for (let u = 0; u < 3; u++) learnOrgPlaces(p, `u${u}`, '198.51.100.7', 'France', T0);
    for (let i = 0; i <= MAX_ORG_IPS; i++)
      learnOrgPlaces(p, `home${i}`, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, null, T0 + 1 + i);
    expect(p.ips.get('198.51.100.7')).toBeDefined();
    expect(p.ips.size).toBeLessThanOrEqual(MAX_ORG_IPS);
    expect(p.ips.size).toBeGreaterThan(MAX_ORG_IPS / 2);
    expect(p.countries.get('France')).toBeDefined();
    expect(JSON.parse(JSON.stringify(p))).toMatchObject({ nIps: p.ips.size, nCountries: 1 });
  });
  it('reports a change worth saving only for a new key or user, or a last-seen that moved 12 h', () => {
    const p = new OrgPlaces();
    expect(learnOrgPlaces(p, 'a', '198.51.100.7', 'France', T0)).toBe(true);
    expect(learnOrgPlaces(p, 'a', '198.51.100.7', 'France', T0 + HOUR_MS)).toBe(false);
    expect(learnOrgPlaces(p, 'b', '198.51.100.7', 'France', T0 + HOUR_MS)).toBe(true);
    expect(learnOrgPlaces(p, 'a', '198.51.100.7', 'France', T0 + 12 * HOUR_MS)).toBe(false);
    expect(learnOrgPlaces(p, 'a', '198.51.100.7', 'France', T0 + 25 * HOUR_MS)).toBe(true);
  });
  it('is saved with the organization’s baseline and read back by the next engine (a restart forgets nothing)', async () => {
    const baselines = memoryBaselineStore();
    const shared = { ip: '198.51.100.7' };
    const first = createEngine({ baselines });
    await first.process([
      ...history(5),
      ...[0, 1, 2].flatMap((i) => history(5, { ...shared, user: `colleague${i}` })),
    ]);
    await first.flush();
    const mine = auth(T0, shared);
    const second = createEngine({ baselines });
    const alerts = (await second.process([mine])).filter((d) => d.rule === 'duo.new_ip');
    expect(alerts).toEqual([]);
    // Control: without the colleagues the same login is a new address.
    const control = await run([...history(5), mine]);
    expect(only(control, 'duo.new_ip')).toHaveLength(1);
  });
});
