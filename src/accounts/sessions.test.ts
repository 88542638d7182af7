import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { sha256 } from './secrets.js';
import { createAccountsService } from './service.js';

// The accounts service's sessions over a real SQLite store, on a clock the test moves.
const HOUR = 3_600_000;
let dir: string;
let store: Store;
let now = new Date('2026-03-02T09:00:00Z');
const clock = () => now;
const later = (ms: number) => (now = new Date(now.getTime() + ms));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duowatch-sessions-'));
  store = await openStore({ dataDir: dir, env: {} });
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const service = () => createAccountsService({ store, clock, sessionTtlMs: 10 * HOUR });
const weak = { N: 1024, r: 8, p: 1 } as const;

describe('accounts sessions', () => {
  it('pairs the CSRF token with its session, slides the expiry with use, and ends at the lifetime', async () => {
    const accounts = createAccountsService({ store, clock, sessionTtlMs: 10 * HOUR, scrypt: weak });
    const op = await accounts.operators.create(
      { username: 'csrf', password: 'a long passphrase', isAdmin: false },
      { id: 'cli' },
    );
    const opened = await accounts.sessions.open(op.id, '127.0.0.1');
    expect(opened.idHash).toBe(sha256(opened.secret));
    const { sessions } = accounts;
    expect((await sessions.resolve(opened.secret, null)).kind).toBe('ok');
    expect((await sessions.resolve('not-a-session', null)).kind).toBe('none');

    const right = { header: opened.csrfToken, cookie: opened.csrfToken };
    expect((await sessions.resolve(opened.secret, right)).kind).toBe('ok');
    expect((await sessions.resolve(opened.secret, { header: '', cookie: undefined })).kind).toBe(
      'csrf_failed',
    );
    expect((await sessions.resolve(opened.secret, { header: 'guess', cookie: 'guess' })).kind).toBe(
      'csrf_failed',
    );
    // The right header but a different double-submit cookie is refused too.
    expect((await sessions.resolve(opened.secret, { header: opened.csrfToken, cookie: 'x' })).kind).toBe(
      'csrf_failed',
    );
    // No cookie at all (a client that only sends the header) is accepted.
    expect(
      (await sessions.resolve(opened.secret, { header: opened.csrfToken, cookie: undefined })).kind,
    ).toBe('ok');

    const found = await sessions.resolve(opened.secret, null);
    if (found.kind !== 'ok') throw new Error('session lost');
    expect(sessions.csrfFor(found.session, opened.csrfToken)).toBe(opened.csrfToken);
    expect(sessions.csrfFor(found.session, 'other')).toBeNull();

    // Used after two hours: the expiry moves to ten hours from then.
    later(2 * HOUR);
    const used = await sessions.resolve(opened.secret, null);
    expect(used.kind === 'ok' && used.session.expiresAt.getTime()).toBe(opened.expiresAt.getTime());
    const after = await store.sessions.find(opened.idHash, now);
    expect(after?.expiresAt.getTime()).toBe(now.getTime() + 10 * HOUR);
    later(10 * HOUR + 1);
    expect((await sessions.resolve(opened.secret, null)).kind).toBe('none');
  });

  it('deletes the session of a disabled operator and closes on sign-out', async () => {
    const accounts = createAccountsService({ store, clock, sessionTtlMs: 10 * HOUR, scrypt: weak });
    const op = await accounts.operators.create(
      { username: 'gone', password: 'a long passphrase', isAdmin: false },
      { id: 'cli' },
    );
    const a = await accounts.sessions.open(op.id, null);
    const b = await accounts.sessions.open(op.id, null);
    await accounts.sessions.close(a.idHash);
    expect((await accounts.sessions.resolve(a.secret, null)).kind).toBe('none');
    // Disabled behind the service's back (straight in the store): the next lookup still refuses and deletes.
    await store.operators.setDisabled(op.id, true);
    expect((await accounts.sessions.resolve(b.secret, null)).kind).toBe('none');
    await store.operators.setDisabled(op.id, false);
    expect(await store.sessions.find(b.idHash, now)).toBeUndefined();
  });

  it('knows a device only for the operator it signed in as, and only within its lifetime', async () => {
    const accounts = createAccountsService({ store, clock, scrypt: weak });
    const op = await accounts.operators.create(
      { username: 'device', password: 'a long passphrase', isAdmin: false },
      { id: 'cli' },
    );
    const other = await accounts.operators.create(
      { username: 'other', password: 'a long passphrase', isAdmin: false },
      { id: 'cli' },
    );
    const { session, device } = await accounts.signIn(op, '127.0.0.1');
    expect((await accounts.sessions.resolve(session.secret, null)).kind).toBe('ok');
    expect((await store.operators.get(op.id))?.lastLoginAt?.getTime()).toBe(now.getTime());
    expect(await accounts.sessions.knownDevice(device, op.id)).toBe(sha256(device));
    expect(await accounts.sessions.knownDevice(device, other.id)).toBeNull();
    expect(await accounts.sessions.knownDevice(undefined, op.id)).toBeNull();
    expect(await accounts.sessions.knownDevice('planted', op.id)).toBeNull();
    later(91 * 24 * HOUR);
    expect(await accounts.sessions.knownDevice(device, op.id)).toBeNull();
  });

  it('finds Bearer tokens, refuses those whose creator lost the role, and stamps use once a minute', async () => {
    const accounts = service();
    const org = await store.organizations.create({ slug: 'tok' });
    const owner = await store.operators.create({ username: 'owner', passwordHash: 'x' });
    await store.memberships.grant(org.id, owner.id, 'owner');
    const { token, record } = await accounts.tokens.create(
      org.id,
      { label: 'ci', role: 'admin', createdBy: owner.id },
      { id: 'cli' },
    );
    expect((await accounts.sessions.token('dw_unknown')).kind).toBe('unknown');
    const first = await accounts.sessions.token(token);
    expect(first.kind === 'ok' && first.token.id).toBe(record.id);
    const stamped = (await store.apiTokens.list(org.id))[0]?.lastUsedAt?.getTime();
    expect(stamped).toBe(now.getTime());
    later(30_000);
    await accounts.sessions.token(token);
    expect((await store.apiTokens.list(org.id))[0]?.lastUsedAt?.getTime()).toBe(stamped);
    later(31_000);
    await accounts.sessions.token(token);
    expect((await store.apiTokens.list(org.id))[0]?.lastUsedAt?.getTime()).toBe(now.getTime());

    await store.memberships.grant(org.id, owner.id, 'auditor');
    expect((await accounts.sessions.token(token)).kind).toBe('creator_lost');
    await store.memberships.grant(org.id, owner.id, 'admin');
    expect((await accounts.sessions.token(token)).kind).toBe('ok');
    await accounts.tokens.revoke(org.id, record.id, { id: 'cli' });
    expect((await accounts.sessions.token(token)).kind).toBe('unknown');
  });
});
