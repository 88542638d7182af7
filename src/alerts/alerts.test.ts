import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewAlert } from '../app/index.js';
import { Secret } from '../store/index.js';
import { alertRepository, type AlertRepository } from './alerts.repository.js';
import type { NotifyChannel } from './notify/channel.js';
import { tokenBucket } from './notify/throttle.js';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER, webhookChannel } from './notify/webhook.js';
import { createStoredRaiser, routeChannel } from './raiser.js';
import { testStore } from './test-store.test-helpers.js';
import type { StoredAlert } from './model.js';
import { alertOutbox } from './outbox.js';
import { sql } from 'kysely';

const T = Date.parse('2026-03-02T12:00:00Z');
const MIN = 60_000;

let env: Awaited<ReturnType<typeof testStore>>;
let repo: AlertRepository;
beforeEach(async () => {
  env = await testStore(() => new Date(T));
  repo = alertRepository(env.store, { clock: () => new Date(T) });
});
afterEach(async () => {
  await env.close();
});

const alert = (over: Partial<NewAlert> = {}): NewAlert => ({
  orgId: env.acme,
  source: 'detect',
  rule: 'duo.fraud',
  title: 'User reported a Duo request as fraud',
  severity: 'high',
  entity: 'alice',
  firstSeen: new Date(T),
  lastSeen: new Date(T),
  eventIds: ['e1'],
  fields: { ip: '81.2.69.142', application: 'VPN' },
  dedupeKey: 'duo.fraud:acme:alice',
  ...over,
});

describe('alert store', () => {
  it('folds a repeat inside the suppression window (count, last seen, event ids) and opens a new one after', async () => {
    const first = await repo.raise(alert(), { suppressForMs: 15 * MIN });
    const again = await repo.raise(
      alert({ firstSeen: new Date(T + 5 * MIN), lastSeen: new Date(T + 5 * MIN), eventIds: ['e2'] }),
      { suppressForMs: 15 * MIN },
    );
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.alert).toMatchObject({ id: first.alert.id, count: 2, eventIds: ['e1', 'e2'] });
    expect(again.alert.lastSeen.toISOString()).toBe(new Date(T + 5 * MIN).toISOString());
    const later = await repo.raise(
      alert({ firstSeen: new Date(T + 15 * MIN), lastSeen: new Date(T + 15 * MIN) }),
      { suppressForMs: 15 * MIN },
    );
    expect(later.created).toBe(true);
    expect((await repo.list(env.acme)).map((a) => a.count)).toEqual([1, 2]);
  });

  it('keeps organizations apart, and a resolved alert never absorbs a repeat', async () => {
    const a = await repo.raise(alert(), { suppressForMs: 60 * MIN });
    await repo.raise(alert({ orgId: env.globex }), { suppressForMs: 60 * MIN });
    expect(await repo.list(env.globex)).toHaveLength(1);
    expect(await repo.get(env.globex, a.alert.id)).toBeUndefined();
    await repo.setStatus(a.alert.id, 'resolved', 'operator:1', 'user confirmed it was them');
    const b = await repo.raise(alert({ firstSeen: new Date(T + MIN), lastSeen: new Date(T + MIN) }), {
      suppressForMs: 60 * MIN,
    });
    expect(b.created).toBe(true);
    const resolved = await repo.get(env.acme, a.alert.id);
    expect(resolved).toMatchObject({
      status: 'resolved',
      statusBy: 'operator:1',
      statusNote: 'user confirmed it was them',
    });
  });

  it('refuses to change a resolved alert and reports a missing one', async () => {
    const a = await repo.raise(alert(), { suppressForMs: MIN });
    await repo.setStatus(a.alert.id, 'acknowledged', 'x');
    await expect(repo.setStatus(a.alert.id, 'acknowledged', 'x')).rejects.toMatchObject({
      code: 'alerts.already_acknowledged',
    });
    await repo.setStatus(a.alert.id, 'resolved', 'x');
    await expect(repo.setStatus(a.alert.id, 'acknowledged', 'x')).rejects.toMatchObject({
      code: 'alerts.already_resolved',
    });
    await expect(repo.setStatus('nope', 'resolved', 'x')).rejects.toMatchObject({ code: 'alerts.not_found' });
  });

  it('filters by status, severity and rule, and counts per rule', async () => {
    await repo.raise(alert(), { suppressForMs: MIN });
    await repo.raise(alert({ rule: 'duo.new_ip', severity: 'low', dedupeKey: 'k2' }), { suppressForMs: MIN });
    await repo.raise(alert({ rule: 'duo.new_ip', severity: 'low', dedupeKey: 'k3', entity: 'bob' }), {
      suppressForMs: MIN,
      status: 'suppressed',
    });
    expect((await repo.list(env.acme, { rule: 'duo.new_ip' })).map((a) => a.entity).sort()).toEqual([
      'alice',
      'bob',
    ]);
    expect(await repo.list(env.acme, { severity: 'high' })).toHaveLength(1);
    expect((await repo.list(env.acme, { status: 'suppressed' }))[0]?.entity).toBe('bob');
    expect((await repo.counts()).find((c) => c.rule === 'duo.new_ip' && c.status === 'open')?.n).toBe(1);
  });
});

describe('alert outbox', () => {
  it('records every change in order, with the alert as it was right after it and who changed it', async () => {
    const outbox = alertOutbox(env.store);
    const a = await repo.raise(alert(), { suppressForMs: 15 * MIN });
    await repo.raise(alert({ lastSeen: new Date(T + MIN), eventIds: ['e2'] }), { suppressForMs: 15 * MIN });
    await repo.raise(alert({ rule: 'duo.muted', dedupeKey: 'm' }), {
      suppressForMs: 15 * MIN,
      status: 'suppressed',
    });
    await repo.raise(alert({ orgId: env.globex }), { suppressForMs: 15 * MIN });
    await repo.setStatus(a.alert.id, 'acknowledged', 'operator:7', 'looking');
    await repo.setStatus(a.alert.id, 'resolved', 'cli');
    // A refused change (already resolved) writes nothing.
    await expect(repo.setStatus(a.alert.id, 'resolved', 'cli')).rejects.toMatchObject({
      code: 'alerts.already_resolved',
    });

    const acme = await outbox.read(env.acme, 0, 100);
    expect(acme.map((c) => [c.action, c.alert.status, c.alert.count, c.by, c.note])).toEqual([
      ['created', 'open', 1, null, null],
      ['repeated', 'open', 2, null, null],
      ['suppressed', 'suppressed', 1, null, null],
      ['acknowledged', 'acknowledged', 2, 'operator:7', 'looking'],
      ['resolved', 'resolved', 2, 'cli', null],
    ]);
    const seqs = acme.map((c) => c.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(acme[1]!.alert).toMatchObject({
      id: a.alert.id,
      event_ids: ['e1', 'e2'],
      last_seen: new Date(T + MIN).toISOString(),
    });
    expect(acme[3]!.alert).toMatchObject({ status_by: 'operator:7', status_note: 'looking' });
    expect(acme.every((c) => c.at.getTime() === T && c.orgId === env.acme)).toBe(true);
    // Per organization, and after a given sequence.
    expect((await outbox.read(env.globex, 0, 100)).map((c) => c.action)).toEqual(['created']);
    expect((await outbox.read(env.acme, seqs[2]!, 100)).map((c) => c.action)).toEqual([
      'acknowledged',
      'resolved',
    ]);
    expect(await outbox.seqBefore(env.acme, new Date(T))).toBe(seqs[0]! - 1);
    expect(await outbox.seqBefore(env.acme, new Date(T + 1))).toBe(
      Math.max(...seqs, ...(await outbox.read(env.globex, 0, 9)).map((c) => c.seq)),
    );
  });

  it('changes the alert and writes its outbox row in one transaction: without the row, no change', async () => {
    const a = await repo.raise(alert(), { suppressForMs: 15 * MIN });
    await sql`drop table alert_outbox`.execute(env.store.db);
    await expect(
      repo.raise(alert({ entity: 'bob', dedupeKey: 'bob' }), { suppressForMs: 15 * MIN }),
    ).rejects.toThrow();
    await expect(repo.raise(alert(), { suppressForMs: 15 * MIN })).rejects.toThrow();
    await expect(repo.setStatus(a.alert.id, 'acknowledged', 'x')).rejects.toThrow();
    const stored = await repo.list(env.acme);
    expect(stored.map((s) => [s.entity, s.count, s.status])).toEqual([['alice', 1, 'open']]);
  });
});

describe('stored raiser', () => {
  const recorder = () => {
    const sent: StoredAlert[] = [];
    const channel: NotifyChannel = { name: 'rec', send: (a) => Promise.resolve(void sent.push(a)) };
    return { sent, channel };
  };

  it('notifies new alerts at or above the channel severity, once per folded alert; muted ones are stored as suppressed', async () => {
    const { sent, channel } = recorder();
    const raiser = createStoredRaiser({
      repo,
      config: { suppressionMinutes: 60, mute: [{ rule: 'duo.unexpected_factor', org: 'acme' }] },
      channels: [routeChannel(channel, 'high', 100, 10)],
      orgSlug: (id) => Promise.resolve(id === env.acme ? 'acme' : 'globex'),
      dashboardUrl: null,
      clock: () => new Date(T),
    });
    await raiser.raise(alert());
    await raiser.raise(alert({ eventIds: ['e2'] }));
    await raiser.raise(alert({ rule: 'duo.new_ip', severity: 'low', dedupeKey: 'low' }));
    await raiser.raise(alert({ rule: 'duo.unexpected_factor', dedupeKey: 'muted' }));
    await raiser.settled();
    expect(sent.map((a) => a.rule)).toEqual(['duo.fraud']);
    expect((await repo.list(env.acme, { status: 'suppressed' }))[0]?.rule).toBe('duo.unexpected_factor');
  });

  it('throttles per channel and says how many were held back', async () => {
    const { sent, channel } = recorder();
    let now = T;
    const raiser = createStoredRaiser({
      repo,
      config: { suppressionMinutes: 60, mute: [] },
      channels: [routeChannel(channel, 'low', 6, 2)], // 6 an hour: one token every 10 minutes
      orgSlug: () => Promise.resolve('acme'),
      dashboardUrl: null,
      clock: () => new Date(now),
    });
    for (let i = 0; i < 5; i++) await raiser.raise(alert({ entity: `u${i}`, dedupeKey: `k${i}` }));
    now += 10 * MIN;
    await raiser.raise(alert({ entity: 'late', dedupeKey: 'late' }));
    await raiser.settled();
    expect(sent.map((a) => a.entity)).toEqual(['u0', 'u1', 'late']);
    expect(sent[2]?.fields['heldBackByThrottle']).toBe(3);
  });

  it('a failing channel loses nothing: the alert is stored and the failure reported', async () => {
    const failures: string[] = [];
    const raiser = createStoredRaiser({
      repo,
      config: { suppressionMinutes: 60, mute: [] },
      channels: [
        routeChannel({ name: 'broken', send: () => Promise.reject(new Error('down')) }, 'low', 100, 10),
      ],
      orgSlug: () => Promise.resolve('acme'),
      dashboardUrl: null,
      events: { notifyFailed: (c) => void failures.push(c) },
    });
    await raiser.raise(alert());
    await raiser.settled();
    expect(failures).toEqual(['broken']);
    expect(await repo.list(env.acme)).toHaveLength(1);
  });
});

describe('token bucket', () => {
  it('allows the burst, then one per interval', () => {
    const b = tokenBucket(60, 2);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([true, true, false]);
    expect(b.take(59_000)).toBe(false);
    expect(b.take(61_000)).toBe(true);
    expect(b.takeDropped()).toBe(2);
  });
});

describe('webhook channel (Slack-compatible JSON, HMAC header) against a real HTTP receiver', () => {
  it('posts the alert and a signature the receiver can verify; never the secret', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000`;
      const secret = 'whsec-test-123';
      const stored = (await repo.raise(alert(), { suppressForMs: MIN })).alert;
      await webhookChannel({ url, secret: new Secret(secret), clock: () => new Date(T) }).send(stored, {
        orgSlug: 'acme',
        dashboardUrl: 'https://duowatch.example',
      });
      const [msg] = received;
      expect(msg).toBeDefined();
      const ts = String(msg?.headers[TIMESTAMP_HEADER.toLowerCase()]);
      expect(ts).toBe(String(T / 1000));
      expect(msg?.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(signWebhook(secret, ts, msg?.body ?? ''));
      const payload = JSON.parse(msg?.body ?? '{}') as {
        text: string;
        blocks: unknown[];
        duowatch: { rule: string; events: string[] };
      };
      expect(payload.text).toContain('[HIGH] User reported a Duo request as fraud: alice in acme');
      expect(payload.text).toContain(`https://duowatch.example#/alerts/${stored.id}`);
      expect(payload.blocks.length).toBeGreaterThan(1);
      expect(payload.duowatch).toMatchObject({ rule: 'duo.fraud', events: ['e1'] });
      expect(msg?.body).not.toContain(secret);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('reports a refusing receiver by host only (the path may hold a token)', async () => {
    const server = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const stored = (await repo.raise(alert(), { suppressForMs: MIN })).alert;
      const channel = webhookChannel({ url: `http://127.0.0.1:${port}/services/SECRET-TOKEN`, secret: null });
      const error = await channel
        .send(stored, { orgSlug: 'acme', dashboardUrl: null })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'alerts.webhook_failed' });
      expect(String((error as Error).message)).not.toContain('SECRET-TOKEN');
      expect(String((error as Error).message)).toContain('answered 500');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
