import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSink } from './create-sink.js';
import { batchOf } from './events.test-helpers.js';
import { resolveSinksConfig } from './sink-config.js';
import type { WebhookSinkConfig } from './sink-config.js';
import { webhookSignature } from './webhook-sink.js';

const signal = new AbortController().signal;

describe('webhook sink', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  async function receiver(secret: string, status = 200) {
    const got: Array<{ body: string; signature: string | undefined; custom: string | undefined }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const sig = req.headers['x-duowatch-signature'] as string | undefined;
        got.push({ body, signature: sig, custom: req.headers['x-team'] as string | undefined });
        // Verify as a receiver would: recompute over `<t>.<body>` and compare in constant time.
        const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig ?? '');
        const ok =
          m !== null &&
          timingSafeEqual(
            Buffer.from(m[2]!, 'hex'),
            Buffer.from(webhookSignature(secret, Number(m[1]), body), 'hex'),
          );
        res.writeHead(ok ? status : 401).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/duo?token=abc`, got };
  }

  async function sink(url: string, secret: string, format: 'raw' | 'ecs' = 'raw') {
    const cfg = await resolveSinksConfig({
      hook: { type: 'webhook', url, secret, format, headers: { 'x-team': 'secops' }, spill: { maxBytes: 0 } },
    });
    const s = createSink('hook', cfg.hook as WebhookSinkConfig, { clock: () => Date.UTC(2026, 10, 30, 12) });
    closers.push(() => s.close());
    return s;
  }

  it('posts JSON batches signed with HMAC-SHA256 that a receiver verifies', async () => {
    const r = await receiver('whsec');
    const s = await sink(r.url, 'whsec', 'ecs');
    await s.send(batchOf(0, 3), signal);
    expect(r.got).toHaveLength(1);
    const body = JSON.parse(r.got[0]!.body) as {
      sink: string;
      sent_at: string;
      events: Array<{ event: { id: string } }>;
    };
    expect(body.sink).toBe('hook');
    expect(body.sent_at).toBe('2026-11-30T12:00:00.000Z');
    expect(body.events.map((e) => e.event.id)).toEqual(batchOf(0, 3).map((e) => e.id));
    expect(r.got[0]!.signature).toMatch(/^t=1796040000,v1=[0-9a-f]{64}$/);
    expect(r.got[0]!.custom).toBe('secops');
  });

  it('a wrong secret is refused by the receiver (401 → sink.config), and 5xx is retryable', async () => {
    const r = await receiver('right');
    const s = await sink(r.url, 'wrong');
    const error = await s.send(batchOf(0, 1), signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'sink.config' });
    expect(String(error)).not.toContain('token=abc'); // query strings can hold secrets: never in messages
    const r2 = await receiver('k', 503);
    const s2 = await sink(r2.url, 'k');
    await expect(s2.send(batchOf(0, 1), signal)).rejects.toMatchObject({ code: 'sink.unavailable' });
  });
});
