import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enrichmentFor, indexInventory } from './enrich.js';
import { sampleEvent } from './sinks/duo-samples.test-helpers.js';
import { formatEcs } from './sinks/format-ecs.js';
import { formatRaw } from './sinks/format-raw.js';

// Enrichment from the inventory snapshots: golden ECS documents (UPDATE_GOLDEN=1 rewrites them; review the
// diff), and what it never does (overwrite Duo's fields, touch raw lines, guess from a failed snapshot).
const goldenDir = join(import.meta.dirname, 'sinks', 'golden');
async function golden(name: string, value: unknown): Promise<void> {
  const file = join(goldenDir, `${name}.json`);
  const text = JSON.stringify(value, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, text);
  expect(JSON.parse(text)).toEqual(JSON.parse(await readFile(file, 'utf8')));
}

// Shaped as Duo's /admin/v1/users and /admin/v1/endpoints items.
const users = {
  kind: 'users' as const,
  error: null,
  items: [
    {
      username: 'JDoe',
      realname: 'Jane Doe',
      email: 'jane.doe@example.com',
      groups: [{ name: 'Finance', group_id: 'DG1' }, { name: 'VPN Users' }],
    },
    { username: 'narroway', realname: 'Nadia Arroway', email: 'n.arroway@example.org', groups: [] },
  ],
};
const endpoints = {
  kind: 'endpoints' as const,
  error: null,
  items: [
    {
      epkey: 'EP18JX1A10AB102M2T2X',
      device_name: 'NADIA-MBP',
      os_family: 'Mac OS X',
      os_version: '14.6',
      type: 'Desktop',
      username: 'narroway',
    },
  ],
};
const index = indexInventory([users, endpoints], { users: true, hosts: true });

const enriched = (name: string) => {
  const e = sampleEvent(name);
  const enrichment = enrichmentFor(e, index);
  return enrichment === undefined ? e : { ...e, enrichment };
};

describe('inventory enrichment', () => {
  it('adds user email, full name and groups (usernames matched case-insensitively)', async () => {
    const doc = formatEcs(enriched('auth-fraud-ip-port'));
    expect(doc['user']).toMatchObject({
      name: 'jdoe',
      email: 'jane.doe@example.com',
      full_name: 'Jane Doe',
      group: { name: ['Finance', 'VPN Users'] },
    });
    await golden('ecs-enriched-auth-fraud-ip-port', doc);
  });

  it("adds the endpoint's host fields by access_device.epkey, and the acting user's record", async () => {
    const doc = formatEcs(enriched('activity-user-string-action'));
    expect(doc['host']).toMatchObject({
      name: 'NADIA-MBP',
      type: 'Desktop',
      os: { family: 'Mac OS X', version: '14.6' },
    });
    expect(doc['user']).toMatchObject({ name: 'narroway', full_name: 'Nadia Arroway' });
    await golden('ecs-enriched-activity-user-string-action', doc);
  });

  it("never overwrites Duo's own fields and leaves raw lines unchanged", () => {
    const plain = sampleEvent('auth-success');
    const event = {
      ...plain,
      enrichment: { user: { email: 'other@example.com', fullName: 'N. A.', groups: ['X'] } },
    };
    const doc = formatEcs(event);
    const before = formatEcs(plain);
    expect((doc['user'] as Record<string, unknown>)['email']).toBe(
      (before['user'] as Record<string, unknown>)['email'],
    );
    // The groups Duo recorded with the authentication stay where the mapping puts them; the snapshot's
    // (today's) groups go to user.group.name.
    expect(doc['source']).toEqual(before['source']);
    expect((doc['user'] as { group: { name: unknown } }).group.name).toEqual(['X']);
    expect((doc['user'] as Record<string, unknown>)['full_name']).toBe('N. A.');
    expect(formatRaw(event)).toEqual(formatRaw(plain));
  });

  it('adds nothing for unknown users, administrators, a failed snapshot or a kind turned off', () => {
    expect(enrichmentFor(sampleEvent('auth-success'), index)).toBeUndefined();
    expect(enrichmentFor(sampleEvent('admin-user-update'), index)).toBeUndefined();
    const failed = indexInventory([{ ...users, error: 'Duo refused: 40301' }], { users: true, hosts: true });
    expect(enrichmentFor(sampleEvent('auth-fraud-ip-port'), failed)).toBeUndefined();
    const hostsOnly = indexInventory([users, endpoints], { users: false, hosts: true });
    expect(enrichmentFor(sampleEvent('activity-user-string-action'), hostsOnly)).toEqual({
      host: { name: 'NADIA-MBP', type: 'Desktop', osFamily: 'Mac OS X', osVersion: '14.6' },
    });
  });
});
