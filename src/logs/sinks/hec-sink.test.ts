import { afterEach, describe, expect, it } from 'vitest';
import { createSink } from './create-sink.js';
import { batchOf } from './events.test-helpers.js';
import { startHecReceiver } from './hec-receiver.test-helpers.js';
import type { HecReceiver } from './hec-receiver.test-helpers.js';
import { resolveSinksConfig } from './sink-config.js';
import type { HecSinkConfig } from './sink-config.js';
import type { LogSink } from './types.js';

const signal = new AbortController().signal;
const TOKEN = '12345678-90ab-cdef-1234-567890abcdef';

async function hec(r: HecReceiver, extra: Record<string, unknown> = {}): Promise<LogSink> {
  const cfg = await resolveSinksConfig(
    {
      splunk: {
        type: 'hec',
        url: r.url,
        token: '${HEC_TOKEN}',
        index: 'duo',
        spill: { maxBytes: 0 },
        ...extra,
      },
    },
    { env: { HEC_TOKEN: TOKEN } },
  );
  return createSink('splunk', cfg.splunk as HecSinkConfig);
}

describe('Splunk HEC sink against a strict receiver', () => {
  let r: HecReceiver;
  const open: LogSink[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await r.close();
  });

  it('sends gzip batches with time, index, sourcetype, source and our id in fields', async () => {
    r = await startHecReceiver(TOKEN, { ack: false });
    const s = await hec(r, { batchSize: 10 });
    open.push(s);
    await s.send(batchOf(0, 25), signal);
    expect(r.violations).toEqual([]);
    expect(r.gzipped).toBe(3); // 10 + 10 + 5
    expect(r.events).toHaveLength(25);
    expect(r.events[0]).toMatchObject({
      time: 1_700_000_000,
      index: 'duo',
      sourcetype: 'cisco:duo',
      source: 'duowatch',
      fields: { duowatch_id: 'auth-00000000', duo_log: 'auth', duo_org: 'acme' },
      event: { txid: 'tx-0', duowatch: { id: 'auth-00000000' } },
    });
  });

  it('with indexer acknowledgement, resolves only once the ackId is indexed', async () => {
    r = await startHecReceiver(TOKEN, { ack: true });
    r.ackDelayPolls = 2;
    const s = await hec(r, { ack: { enabled: true, pollMs: 10, timeoutMs: 5000 }, gzip: false });
    open.push(s);
    await s.send(batchOf(0, 5), signal);
    expect(r.events).toHaveLength(5); // the receiver moves events to `events` only when it reports them indexed
    expect(s.stats?.()).toMatchObject({ sent: 5, ackWaits: 1 });
  });

  it('an ack that never comes fails the batch (sent again later: at-least-once)', async () => {
    r = await startHecReceiver(TOKEN, { ack: true });
    r.ackDelayPolls = 1_000_000;
    const s = await hec(r, { ack: { enabled: true, pollMs: 10, timeoutMs: 200 } });
    open.push(s);
    await expect(s.send(batchOf(0, 2), signal)).rejects.toMatchObject({ code: 'sink.unavailable' });
  });

  it('maps errors: wrong token is config, busy is retryable; the token never shows', async () => {
    r = await startHecReceiver('another-token', { ack: false });
    const s = await hec(r);
    open.push(s);
    const error = await s.send(batchOf(0, 1), signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'sink.config' });
    expect(String(error) + JSON.stringify(error)).not.toContain(TOKEN);
    await r.close();
    r = await startHecReceiver(TOKEN, { ack: false });
    r.busy = true;
    const s2 = await hec(r);
    open.push(s2);
    await expect(s2.send(batchOf(0, 1), signal)).rejects.toMatchObject({
      code: 'sink.unavailable',
      retryable: true,
    });
  });
});
