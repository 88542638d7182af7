import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duoSamples, sampleEvent } from './duo-samples.test-helpers.js';
import { ecsDataset, formatEcs, formatEcsAlert } from './format-ecs.js';

// Golden outputs (docs/conventions.md §12): `UPDATE_GOLDEN=1 npx vitest run src/logs/sinks/format-ecs.test.ts` rewrites
// them; review the diff before committing.
const goldenDir = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

async function golden(name: string, value: unknown): Promise<void> {
  const file = join(goldenDir, `${name}.json`);
  const text = JSON.stringify(value, null, 2) + '\n';
  if (update) await writeFile(file, text);
  // Compared as data, so the formatter may lay the files out as it likes.
  expect(JSON.parse(text)).toEqual(JSON.parse(await readFile(file, 'utf8')));
}

describe('ECS format', () => {
  for (const name of Object.keys(duoSamples)) {
    it(`matches the golden document for ${name}`, async () => {
      await golden(`ecs-${name}`, formatEcs(sampleEvent(name)));
    });
  }

  it('carries our id in event.id and vendor fields under cisco_duo.<dataset>', () => {
    const doc = formatEcs(sampleEvent('auth-success'));
    expect(doc.event).toMatchObject({ id: 'id-auth-success', kind: 'event', outcome: 'success' });
    expect(doc.cisco_duo).toHaveProperty('auth.txid', '340a23e3-23f3-4f5c-8b2a-2b9b5a3c1e2f');
    expect(doc['@timestamp']).toBe('2020-02-13T18:56:20.351Z');
  });

  it('splits ip:port and drops empty values', () => {
    const doc = formatEcs(sampleEvent('auth-fraud-ip-port'));
    expect(doc.source).toMatchObject({ ip: '203.0.113.50', port: 51432, address: 'kiosk-7.example.com' });
    expect(JSON.stringify(doc)).not.toMatch(/:null|:""|:\[\]|:\{\}/);
    expect(doc.event).toMatchObject({ outcome: 'failure', severity: 9 });
  });

  it('accepts activity action as a string or as {name, details} and indexes one shape', () => {
    const a = formatEcs(sampleEvent('activity-admin-login'));
    const b = formatEcs(sampleEvent('activity-user-string-action'));
    expect(a.event).toMatchObject({ action: 'admin_login', outcome: 'success' });
    expect(b.event).toMatchObject({ action: 'user_update', outcome: 'failure' });
    expect(b.cisco_duo).toHaveProperty('activity.action', { name: 'user_update' });
    expect(b.user).toEqual({ name: 'narroway' });
  });

  it('names telephony v2 and v1 datasets apart', () => {
    expect(ecsDataset(sampleEvent('telephony-v2-sms'))).toBe('telephony_v2');
    expect(
      ecsDataset({
        ...sampleEvent('telephony-v2-sms'),
        raw: { context: 'authentication', timestamp: 1, type: 'sms' },
      }),
    ).toBe('telephony');
  });

  it('formats an alert change with event.kind alert and the change as event.action', async () => {
    const doc = formatEcsAlert({
      id: 'alert-a1-7',
      stream: 'alerts',
      orgId: 'org_1',
      orgSlug: 'acme',
      ts: Date.parse('2026-11-30T10:20:00Z'),
      raw: {
        id: 'a1',
        source: 'detect',
        rule: 'duo.mfa_fatigue',
        title: 'Push fatigue: 12 denied pushes for jdoe in 10 minutes',
        severity: 'high',
        entity: 'jdoe',
        status: 'acknowledged',
        dedupe_key: 'duo.mfa_fatigue:jdoe',
        first_seen: '2026-11-30T10:00:00.000Z',
        last_seen: '2026-11-30T10:09:00.000Z',
        count: 2,
        event_ids: ['a', 'b'],
        fields: { denied: 12 },
        status_by: 'operator:alice',
        status_at: '2026-11-30T10:20:00.000Z',
        status_note: 'calling jdoe',
        change: {
          seq: 7,
          action: 'acknowledged',
          at: '2026-11-30T10:20:00.000Z',
          by: 'operator:alice',
          note: 'calling jdoe',
        },
      },
    });
    await golden('ecs-alert', doc);
    expect(doc['event']).toMatchObject({
      kind: 'alert',
      id: 'alert-a1-7',
      severity: 8,
      action: 'acknowledged',
    });
    expect(doc['@timestamp']).toBe('2026-11-30T10:20:00.000Z');
  });
});
