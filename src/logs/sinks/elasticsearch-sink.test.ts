import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { raiserOf, type NewAlert } from '../../app/index.js';
import { startBulkReceiver } from './bulk-receiver.test-helpers.js';
import type { BulkReceiver } from './bulk-receiver.test-helpers.js';
import { createSink } from './create-sink.js';
import { sampleEvent } from './duo-samples.test-helpers.js';
import { batchOf } from './events.test-helpers.js';
import { resolveSinksConfig } from './sink-config.js';
import type { ElasticsearchSinkConfig } from './sink-config.js';
import type { LogSink } from './types.js';

const signal = new AbortController().signal;
const KEY_ID = 'VuaCfGcBCdbkQm-e5aOx';
const KEY = 'ui2lp2axTNmsyakw9tvNnw';
const ENCODED = Buffer.from(`${KEY_ID}:${KEY}`).toString('base64');

describe('Elasticsearch _bulk sink against a strict receiver', () => {
  let dir: string;
  let es: BulkReceiver;
  const alerts: NewAlert[] = [];
  let sink: LogSink;

  async function make(extra: Record<string, unknown> = {}): Promise<LogSink> {
    const cfg = await resolveSinksConfig(
      { es: { type: 'elasticsearch', url: es.url, apiKey: '${ES_API_KEY}', namespace: 'prod', ...extra } },
      { env: { ES_API_KEY: ENCODED } },
    );
    return createSink('es', cfg.es as ElasticsearchSinkConfig, {
      dataDir: dir,
      alerts: raiserOf((a) => Promise.resolve(void alerts.push(a))),
    });
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duowatch-es-'));
    es = await startBulkReceiver(ENCODED);
    alerts.length = 0;
    sink = await make();
  });
  afterEach(async () => {
    await sink.close();
    await es.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates ECS documents in logs-cisco_duo.<dataset>-<namespace> with our id as _id', async () => {
    const events = [
      'auth-success',
      'admin-user-update',
      'telephony-v2-sms',
      'activity-admin-login',
      'trust-monitor-auth',
      'offline-enrollment',
    ].map(sampleEvent);
    await sink.send(events, signal);
    expect(es.violations).toEqual([]);
    expect([...es.docs.keys()].sort()).toEqual(
      [
        'logs-cisco_duo.activity-prod/id-activity-admin-login',
        'logs-cisco_duo.admin-prod/id-admin-user-update',
        'logs-cisco_duo.auth-prod/id-auth-success',
        'logs-cisco_duo.offline_enrollment-prod/id-offline-enrollment',
        'logs-cisco_duo.telephony_v2-prod/id-telephony-v2-sms',
        'logs-cisco_duo.trust_monitor-prod/id-trust-monitor-auth',
      ].sort(),
    );
    const doc = es.docs.get('logs-cisco_duo.auth-prod/id-auth-success')!;
    expect(doc.event).toMatchObject({ id: 'id-auth-success', kind: 'event' });
    expect(doc.data_stream).toEqual({ type: 'logs', dataset: 'cisco_duo.auth', namespace: 'prod' });
  });

  it('counts a replayed batch as delivered (409 per item), with no duplicate', async () => {
    await sink.send(batchOf(0, 20), signal);
    await sink.send(batchOf(10, 20), signal); // overlaps 10..19
    expect(es.docs.size).toBe(30);
    expect(sink.stats?.()).toMatchObject({ created: 30, conflicts: 10, deadLettered: 0 });
    expect(es.violations).toEqual([]);
  });

  it('dead-letters mapping errors with the reason, counts and alerts, and delivers the rest', async () => {
    const batch = batchOf(0, 5);
    es.poison.add(batch[2]!.id);
    await sink.send(batch, signal);
    expect(es.docs.size).toBe(4);
    expect(sink.stats?.()).toMatchObject({ created: 4, deadLettered: 1 });
    const lines = (await readFile(join(dir, 'dead-letter', 'es.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(row).toMatchObject({
      sink: 'es',
      id: batch[2]!.id,
      index: 'logs-cisco_duo.auth-prod',
      status: 400,
      error: { type: 'mapper_parsing_exception' },
      event: { stream: 'auth', org: 'acme', raw: batch[2]!.raw },
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      source: 'logs',
      rule: 'logs.sink_dead_letter',
      entity: 'es',
      severity: 'high',
      eventIds: [batch[2]!.id],
    });
    // Sending the same batch again does not dead-letter it forever: it is refused again, once per send.
    expect(es.requests).toBe(1);
  });

  it('retries items answered 429 and succeeds within the send', async () => {
    const batch = batchOf(0, 4);
    es.throttle.set(batch[1]!.id, 1);
    await sink.send(batch, signal);
    expect(es.docs.size).toBe(4);
    expect(sink.stats?.()).toMatchObject({ retriedItems: 1, created: 4 });
  });

  it('fails with sink.unavailable when the cluster answers 503 (no spill: data dir spill off)', async () => {
    const s = await make({ spill: { maxBytes: 0 } });
    es.failWith = 503;
    await expect(s.send(batchOf(0, 2), signal)).rejects.toMatchObject({ code: 'sink.unavailable' });
    es.failWith = null;
    await s.send(batchOf(0, 2), signal);
    expect(es.docs.size).toBe(2);
    await s.close();
  });

  it('a wrong API key is a configuration error, and the key never appears in it', async () => {
    const cfg = await resolveSinksConfig({
      es: { type: 'elasticsearch', url: es.url, apiKey: 'id:wrong-secret', spill: { maxBytes: 0 } },
    });
    const s = createSink('es', cfg.es as ElasticsearchSinkConfig, { dataDir: dir });
    const error = await s.send(batchOf(0, 1), signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'sink.config' });
    expect(JSON.stringify(error) + String(error)).not.toContain('wrong-secret');
    await s.close();
  });
});
