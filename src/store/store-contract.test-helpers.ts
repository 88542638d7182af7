import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { SignalRecord } from '../shared/index.js';
import type { Store } from './index.js';
import { rotateKeys } from './index.js';

/** What a dialect's test file provides: a fresh, migrated, empty store per call, and a way to dispose of it. */
export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const SKEY = 'Zm9vYmFyc2VjcmV0a2V5MDEyMzQ1Njc4OWFiY2RlZmdoaWo';
const IKEY = 'DIWJ8X6AEYOR5OMC6TQ1';
const T0 = new Date('2026-11-01T00:00:00.000Z');
const day = 86_400_000;

async function withStore(factory: StoreFactory, body: (store: Store) => Promise<void>): Promise<void> {
  const { store, cleanup } = await factory();
  try {
    await body(store);
  } finally {
    await cleanup();
  }
}

async function twoOrgs(store: Store) {
  const a = await store.organizations.create({ slug: 'acme', name: 'Acme' });
  const b = await store.organizations.create({ slug: 'globex', name: 'Globex' });
  const ia = await store.integrations.create(a.id, {
    kind: 'admin',
    apiHost: 'api-a.duosecurity.com',
    ikey: IKEY,
    skey: SKEY,
  });
  const ib = await store.integrations.create(b.id, {
    kind: 'admin',
    apiHost: 'api-b.duosecurity.com',
    ikey: 'DIBBBBBBBBBBBBBBBBBB',
    skey: 'other-secret-key-of-globex-000000000000',
  });
  return { a, b, ia, ib };
}

/**
 * The contract every database must meet (docs/conventions.md §11): the same cases run against SQLite in `npm test` and
 * against PostgreSQL in test/services/store-pg.test.ts.
 */
export function storeContract(name: string, factory: StoreFactory): void {
  const test = (title: string, body: (store: Store) => Promise<void>) =>
    it(title, () => withStore(factory, body));

  describe(`store contract: ${name}`, () => {
    test('migrations are applied on open and re-running them applies nothing', async (store) => {
      const status = await store.migrationStatus();
      expect(status.length).toBeGreaterThan(0);
      expect(status.every((m) => m.executedAt instanceof Date)).toBe(true);
      expect((await store.migrate()).applied).toEqual([]);
    });

    test('organizations: create, resolve by id or slug, unique slug, rename, delete', async (store) => {
      const org = await store.organizations.create({ slug: 'acme', name: 'Acme Inc' });
      expect((await store.organizations.resolve('acme'))?.id).toBe(org.id);
      expect((await store.organizations.resolve(org.id))?.slug).toBe('acme');
      expect((await store.organizations.get(org.id))?.createdAt).toBeInstanceOf(Date);
      await expect(store.organizations.create({ slug: 'acme' })).rejects.toThrow();
      expect((await store.organizations.rename(org.id, 'Acme 2'))?.name).toBe('Acme 2');
      expect((await store.organizations.list()).map((o) => o.slug)).toEqual(['acme']);
      expect(await store.organizations.delete(org.id)).toBe(true);
      expect(await store.organizations.get(org.id)).toBeUndefined();
    });

    test('integrations: secrets round-trip through the vault and never appear in metadata', async (store) => {
      const { a, b, ia } = await twoOrgs(store);
      expect(ia.keyId).toBe(store.vault.currentKeyId);
      expect(JSON.stringify(ia)).not.toContain(SKEY);
      const creds = await store.integrations.credentials(a.id, ia.id);
      expect(creds?.skey.reveal()).toBe(SKEY);
      expect(creds?.ikey.reveal()).toBe(IKEY);
      expect(JSON.stringify(creds)).not.toContain(SKEY);
      expect(String(creds?.skey)).toBe('[redacted]');
      // Tenancy: the same id under another organization is invisible.
      expect(await store.integrations.get(b.id, ia.id)).toBeUndefined();
      expect(await store.integrations.credentials(b.id, ia.id)).toBeUndefined();
      expect(await store.integrations.delete(b.id, ia.id)).toBe(false);
      expect((await store.integrations.list(a.id)).map((i) => i.id)).toEqual([ia.id]);
      const raw = await store.db
        .selectFrom('integrations')
        .select(['ikey_ct', 'skey_ct'])
        .where('id', '=', ia.id)
        .executeTakeFirstOrThrow();
      expect(raw.skey_ct).toMatch(/^v1\.k[0-9a-f]{12}\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
      expect(raw.skey_ct).not.toContain(SKEY);
    });

    test('integrations: update, rotate the secret key, delete cascades health and cursors', async (store) => {
      const { a, ia } = await twoOrgs(store);
      const updated = await store.integrations.update(a.id, ia.id, {
        label: 'prod',
        mkey: 'DMXXXXXXXXXXXXXXXXXX',
      });
      expect(updated).toMatchObject({
        label: 'prod',
        mkey: 'DMXXXXXXXXXXXXXXXXXX',
        apiHost: 'api-a.duosecurity.com',
      });
      await store.integrations.rotateSecrets(a.id, ia.id, {
        skey: 'a-brand-new-secret-key-0000000000000000',
      });
      const creds = await store.integrations.credentials(a.id, ia.id);
      expect(creds?.skey.reveal()).toBe('a-brand-new-secret-key-0000000000000000');
      expect(creds?.ikey.reveal()).toBe(IKEY);
      await store.credentialHealth.recordSuccess(a.id, ia.id, T0);
      await store.cursors.set(a.id, ia.id, 'auth_log', { nextAfter: 'x' });
      expect(await store.integrations.delete(a.id, ia.id)).toBe(true);
      expect(await store.credentialHealth.get(a.id, ia.id)).toBeUndefined();
      expect(await store.cursors.get(a.id, ia.id, 'auth_log')).toBeUndefined();
    });

    test('vault: a ciphertext moved to another organization, row or column fails to decrypt', async (store) => {
      const { a, b, ia, ib } = await twoOrgs(store);
      const rowA = await store.db
        .selectFrom('integrations')
        .selectAll()
        .where('id', '=', ia.id)
        .executeTakeFirstOrThrow();
      // Another tenant's row.
      await store.db
        .updateTable('integrations')
        .set({ skey_ct: rowA.skey_ct })
        .where('id', '=', ib.id)
        .execute();
      await expect(store.integrations.credentials(b.id, ib.id)).rejects.toMatchObject({
        code: 'vault.decrypt_failed',
      });
      // Another column of the same row.
      await store.db
        .updateTable('integrations')
        .set({ ikey_ct: rowA.skey_ct })
        .where('id', '=', ia.id)
        .execute();
      await expect(store.integrations.credentials(a.id, ia.id)).rejects.toMatchObject({
        code: 'vault.decrypt_failed',
      });
      // Another row of the same tenant.
      const ia2 = await store.integrations.create(a.id, {
        kind: 'auth',
        apiHost: 'api-a.duosecurity.com',
        ikey: 'DIXX',
        skey: 'zzz',
      });
      await store.db
        .updateTable('integrations')
        .set({ skey_ct: rowA.skey_ct })
        .where('id', '=', ia2.id)
        .execute();
      await expect(store.integrations.credentials(a.id, ia2.id)).rejects.toMatchObject({
        code: 'vault.decrypt_failed',
      });
    });

    test('vault: a tampered ciphertext fails and the error carries no secret', async (store) => {
      const { a, ia } = await twoOrgs(store);
      const row = await store.db
        .selectFrom('integrations')
        .selectAll()
        .where('id', '=', ia.id)
        .executeTakeFirstOrThrow();
      const parts = row.skey_ct.split('.');
      const ct = Buffer.from(parts[3] as string, 'base64url');
      ct[0] = (ct[0] as number) ^ 1;
      parts[3] = ct.toString('base64url');
      await store.db
        .updateTable('integrations')
        .set({ skey_ct: parts.join('.') })
        .where('id', '=', ia.id)
        .execute();
      const error = await store.integrations.credentials(a.id, ia.id).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'vault.decrypt_failed' });
      expect(JSON.stringify(error) + String(error)).not.toContain(SKEY);
    });

    test('keys rotate: every secret stays readable and moves to the new key id', async (store) => {
      const { a, b, ia, ib } = await twoOrgs(store);
      const before = store.vault.currentKeyId;
      const result = await rotateKeys(store);
      expect(result.reEncrypted).toBe(2);
      expect(result.newKeyId).not.toBe(before);
      expect(result.retiredKeyIds).toEqual([before]);
      expect(store.vault.keyring.keys.has(before)).toBe(false);
      expect((await store.integrations.credentials(a.id, ia.id))?.skey.reveal()).toBe(SKEY);
      expect((await store.integrations.credentials(b.id, ib.id))?.skey.reveal()).toBe(
        'other-secret-key-of-globex-000000000000',
      );
      expect((await store.integrations.get(a.id, ia.id))?.keyId).toBe(result.newKeyId);
      const rows = await store.db.selectFrom('integrations').select('skey_ct').execute();
      expect(rows.every((r) => store.vault.keyIdOf(r.skey_ct) === result.newKeyId)).toBe(true);
    });

    test('credential health: auth_failed keeps its until, success clears it, other tenants refused', async (store) => {
      const { a, b, ia } = await twoOrgs(store);
      expect(await store.credentialHealth.get(a.id, ia.id)).toBeUndefined();
      await store.credentialHealth.recordSuccess(a.id, ia.id, T0);
      const failed = await store.credentialHealth.recordFailure(a.id, ia.id, {
        state: 'auth_failed',
        until: new Date(T0.getTime() + day),
        errorKind: 'duo.auth',
        errorMessage: 'Invalid signature in request credentials (40103)',
        at: new Date(T0.getTime() + 1000),
      });
      expect(failed).toMatchObject({ state: 'auth_failed', lastErrorKind: 'duo.auth', lastSuccessAt: T0 });
      expect(failed.until?.toISOString()).toBe('2026-11-02T00:00:00.000Z');
      expect((await store.credentialHealth.get(a.id, ia.id))?.until?.toISOString()).toBe(
        '2026-11-02T00:00:00.000Z',
      );
      const transient = await store.credentialHealth.recordTransientError(a.id, ia.id, {
        errorKind: 'network',
        errorMessage: 'ECONNRESET',
        at: new Date(T0.getTime() + 2000),
      });
      expect(transient).toMatchObject({
        state: 'auth_failed',
        lastErrorKind: 'network',
        lastErrorMessage: 'ECONNRESET',
      });
      expect(transient.until).toEqual(failed.until);
      const ok = await store.credentialHealth.recordSuccess(a.id, ia.id, new Date(T0.getTime() + 2 * day));
      expect(ok).toMatchObject({ state: 'ok', until: null, lastErrorKind: null, lastErrorMessage: null });
      const put = {
        state: 'clock_skew' as const,
        until: new Date(T0.getTime() + 3 * day),
        lastErrorKind: 'clock_skew',
        lastErrorMessage: null,
        lastSuccessAt: new Date(T0.getTime() + 2 * day),
        updatedAt: new Date(T0.getTime() + 2 * day + 1000),
      };
      expect(await store.credentialHealth.put(a.id, ia.id, put)).toMatchObject(put);
      expect(await store.credentialHealth.get(a.id, ia.id)).toMatchObject(put);
      const limited = await store.credentialHealth.recordFailure(a.id, ia.id, {
        state: 'rate_limited',
        until: null,
        errorKind: 'duo.rate_limited',
        errorMessage: '429',
      });
      expect(limited).toMatchObject({ state: 'rate_limited', until: null });
      await expect(store.credentialHealth.recordSuccess(b.id, ia.id)).rejects.toMatchObject({
        code: 'store.not_found',
      });
      expect((await store.credentialHealth.list(a.id)).length).toBe(1);
      expect(await store.credentialHealth.list(b.id)).toEqual([]);
    });

    test('job runs: queued → running → finished with duration, counts and error; scoped by organization', async (store) => {
      const { a, b, ia } = await twoOrgs(store);
      const run = await store.jobRuns.create(a.id, {
        integrationId: ia.id,
        kind: 'identity_sync',
        scheduledFor: T0,
      });
      expect(run).toMatchObject({ status: 'queued', attempt: 1, startedAt: null });
      await store.jobRuns.start(a.id, run.id, new Date(T0.getTime() + 10));
      const done = await store.jobRuns.finish(a.id, run.id, {
        status: 'failed',
        finishedAt: new Date(T0.getTime() + 1510),
        counts: { users: 3 },
        errorKind: 'duo.auth',
        errorMessage: 'denied',
      });
      expect(done).toMatchObject({
        status: 'failed',
        durationMs: 1500,
        counts: { users: 3 },
        errorKind: 'duo.auth',
      });
      expect(done?.scheduledFor).toEqual(T0);
      await store.jobRuns.create(a.id, { kind: 'auth_log_poll', status: 'skipped' });
      expect((await store.jobRuns.list(a.id)).length).toBe(2);
      expect((await store.jobRuns.list(a.id, { status: 'failed' })).map((r) => r.id)).toEqual([run.id]);
      expect((await store.jobRuns.list(a.id, { kind: 'auth_log_poll' })).length).toBe(1);
      expect(await store.jobRuns.get(b.id, run.id)).toBeUndefined();
      expect(await store.jobRuns.finish(b.id, run.id, { status: 'succeeded' })).toBeUndefined();
      expect(await store.jobRuns.list(b.id)).toEqual([]);
      await expect(store.jobRuns.create(a.id, { kind: 'x', status: 'bogus' as 'queued' })).rejects.toThrow();
      // A process died mid-run: the retry closes the run it left open, and only that one.
      const lost = await store.jobRuns.create(a.id, { kind: 'identity_sync', jobId: 'boss-1', attempt: 1 });
      await store.jobRuns.start(a.id, lost.id, T0);
      const retry = await store.jobRuns.create(a.id, { kind: 'identity_sync', jobId: 'boss-1', attempt: 2 });
      expect(await store.jobRuns.closeAbandoned('boss-1', new Date(T0.getTime() + 5000))).toBe(2);
      expect(await store.jobRuns.get(a.id, lost.id)).toMatchObject({
        status: 'interrupted',
        errorKind: 'process_lost',
        jobId: 'boss-1',
      });
      expect((await store.jobRuns.get(a.id, retry.id))?.status).toBe('interrupted');
      expect(await store.jobRuns.closeAbandoned('boss-1')).toBe(0);
      expect((await store.jobRuns.get(a.id, run.id))?.status).toBe('failed');
    });

    test('cursors: JSON values round-trip, overwrite, delete; the organization must own the integration', async (store) => {
      const { a, b, ia } = await twoOrgs(store);
      await store.cursors.set(a.id, ia.id, 'auth_log', { nextAfter: ['1700000000000', 'txid'], n: 1 }, T0);
      await store.cursors.set(a.id, ia.id, 'auth_log', { nextAfter: ['1700000001000', 'txid2'], n: 2 }, T0);
      const c = await store.cursors.get<{ n: number }>(a.id, ia.id, 'auth_log');
      expect(c?.value).toEqual({ nextAfter: ['1700000001000', 'txid2'], n: 2 });
      expect(c?.updatedAt).toEqual(T0);
      expect(await store.cursors.get(b.id, ia.id, 'auth_log')).toBeUndefined();
      await expect(store.cursors.set(b.id, ia.id, 'auth_log', 1)).rejects.toThrow();
      expect(await store.cursors.delete(a.id, ia.id, 'auth_log')).toBe(true);
      expect(await store.cursors.get(a.id, ia.id, 'auth_log')).toBeUndefined();
    });

    test('evidence: latest per signal, history window, back-filled older records never hide newer ones', async (store) => {
      const { a, b, ia } = await twoOrgs(store);
      const controls = { names: ['Access control'], soc2: ['CC6.1'], iso27001: [], nist80053: [] };
      const rec = (
        orgId: string,
        id: string,
        hoursAfter: number,
        status: 'pass' | 'warning' | 'fail' = 'pass',
      ): SignalRecord => ({
        orgId,
        integrationId: ia.id,
        id,
        status,
        metrics: { share: hoursAfter, nested: { list: [1, 2] } },
        controls,
        truncated: hoursAfter % 2 === 1,
        notes: hoursAfter % 2 === 1 ? ['users capped at 100 pages'] : [],
        extended: false,
        runId: null,
        startedAt: new Date(T0.getTime() + hoursAfter * 3_600_000 - 1000).toISOString(),
        finishedAt: new Date(T0.getTime() + hoursAfter * 3_600_000).toISOString(),
      });
      await store.evidence.insertMany([
        rec(a.id, 'mfa_enrollment', 0),
        rec(a.id, 'mfa_enrollment', 4),
        rec(a.id, 'global_policy', 4, 'fail'),
        rec(a.id, 'mfa_enrollment', 8, 'warning'),
      ]);
      const single = await store.evidence.insert(rec(a.id, 'admin_inventory', 1));
      expect(single).toMatchObject({
        truncated: true,
        notes: ['users capped at 100 pages'],
        metrics: { share: 1 },
      });
      await store.evidence.insert(rec(a.id, 'mfa_enrollment', 2)); // a late back-fill
      await store.evidence.insert(rec(b.id, 'mfa_enrollment', 100));
      const latest = await store.evidence.latest(a.id);
      expect(latest.map((r) => [r.id, r.status, r.metrics['share']])).toEqual([
        ['admin_inventory', 'pass', 1],
        ['global_policy', 'fail', 4],
        ['mfa_enrollment', 'warning', 8],
      ]);
      expect(latest[0]?.controls).toEqual(controls);
      expect(latest[0]?.finishedAt).toBe(new Date(T0.getTime() + 3_600_000).toISOString());
      expect((await store.evidence.latest(a.id, ['global_policy'])).length).toBe(1);
      const history = await store.evidence.history(a.id, 'mfa_enrollment', {
        from: T0,
        to: new Date(T0.getTime() + 5 * 3_600_000),
      });
      expect(history.map((r) => r.metrics['share'])).toEqual([0, 2, 4]);
      expect(history.every((r) => r.orgId === a.id && r.runId === null)).toBe(true);
      const range = await store.evidence.range(a.id, { from: T0, to: new Date(T0.getTime() + day) });
      expect(range.length).toBe(6);
      expect((await store.evidence.latest(b.id)).map((r) => r.metrics['share'])).toEqual([100]);
      expect(await store.evidence.get(b.id, single.recordId)).toBeUndefined();
      expect((await store.evidence.get(a.id, single.recordId))?.id).toBe('admin_inventory');
      // Whether a signal is extended is read from its id; a record no control maps to reads back with none.
      await store.evidence.insert({
        ...rec(b.id, 'sms_voice_share', 101),
        controls: { names: [], soc2: [], iso27001: [], nist80053: [] },
      });
      const [sms] = await store.evidence.latest(b.id, ['sms_voice_share']);
      expect(sms).toMatchObject({
        extended: true,
        controls: { names: [], soc2: [], iso27001: [], nist80053: [] },
      });
      const statuses = await store.evidence.latestStatuses(['mfa_enrollment', 'global_policy']);
      const key = (x: { orgId: string; signalId: string; status: string }) =>
        `${x.orgId === a.id ? 'a' : 'b'}:${x.signalId}:${x.status}`;
      expect(statuses.map(key).sort()).toEqual([
        'a:global_policy:fail',
        'a:mfa_enrollment:warning',
        'b:mfa_enrollment:pass',
      ]);
      expect(await store.evidence.latestStatuses([])).toEqual([]);
    });

    test('operators and memberships: unique usernames, roles per organization, superadmin flag', async (store) => {
      const { a, b } = await twoOrgs(store);
      const op = await store.operators.create({ username: 'alice', passwordHash: 'scrypt$abc' });
      expect(op).toMatchObject({ superadmin: false, disabled: false, lastLoginAt: null });
      await expect(store.operators.create({ username: 'alice', passwordHash: 'x' })).rejects.toThrow();
      await store.operators.setSuperadmin(op.id, true);
      await store.operators.setDisabled(op.id, true);
      await store.operators.recordLogin(op.id, T0);
      expect(await store.operators.findByUsername('alice')).toMatchObject({
        superadmin: true,
        disabled: true,
        lastLoginAt: T0,
      });
      expect(await store.operators.count()).toBe(1);
      await store.memberships.grant(a.id, op.id, 'auditor');
      await store.memberships.grant(a.id, op.id, 'owner');
      expect(await store.memberships.roleOf(a.id, op.id)).toBe('owner');
      expect(await store.memberships.roleOf(b.id, op.id)).toBeUndefined();
      expect((await store.memberships.listForOperator(op.id)).map((m) => m.orgId)).toEqual([a.id]);
      expect(await store.memberships.revoke(b.id, op.id)).toBe(false);
      expect(await store.memberships.revoke(a.id, op.id)).toBe(true);
      await expect(store.memberships.grant(a.id, op.id, 'root' as 'owner')).rejects.toThrow();
    });

    test('sessions, API tokens and login throttling honour expiry and organization scope', async (store) => {
      const { a, b } = await twoOrgs(store);
      const op = await store.operators.create({ username: 'bob', passwordHash: 'h' });
      await store.sessions.create({
        idHash: 's1',
        operatorId: op.id,
        csrfHash: 'c1',
        expiresAt: new Date(T0.getTime() + 1000),
        ip: '127.0.0.1',
      });
      expect((await store.sessions.find('s1', T0))?.csrfHash).toBe('c1');
      expect(await store.sessions.find('s1', new Date(T0.getTime() + 1000))).toBeUndefined();
      expect(await store.sessions.deleteExpired(new Date(T0.getTime() + 2000))).toBe(1);
      const token = await store.apiTokens.create(a.id, {
        tokenHash: 'th1',
        role: 'auditor',
        label: 'ci',
        expiresAt: new Date(T0.getTime() + day),
      });
      expect((await store.apiTokens.findByHash('th1', T0))?.orgId).toBe(a.id);
      expect(await store.apiTokens.findByHash('th1', new Date(T0.getTime() + 2 * day))).toBeUndefined();
      expect(await store.apiTokens.revoke(b.id, token.id)).toBe(false);
      await store.apiTokens.touch(a.id, token.id, T0);
      expect((await store.apiTokens.list(a.id))[0]?.lastUsedAt).toEqual(T0);
      expect(await store.apiTokens.list(b.id)).toEqual([]);
      expect(await store.apiTokens.revoke(a.id, token.id)).toBe(true);
      await store.loginThrottle.set({ key: 'user:bob', failures: 3, firstFailureAt: T0, lockedUntil: null });
      await store.loginThrottle.set({
        key: 'user:bob',
        failures: 5,
        firstFailureAt: T0,
        lockedUntil: new Date(T0.getTime() + 60_000),
      });
      expect(await store.loginThrottle.get('user:bob')).toMatchObject({
        failures: 5,
        lockedUntil: new Date(T0.getTime() + 60_000),
      });
      await store.loginThrottle.clear('user:bob');
      expect(await store.loginThrottle.get('user:bob')).toBeUndefined();
    });

    test('login hardening: compare-and-set throttle, devices, token creator, metrics aggregates', async (store) => {
      const { a } = await twoOrgs(store);
      const bump = (cur: { failures: number } | undefined) => ({
        key: 'ip:x',
        failures: (cur?.failures ?? 0) + 1,
        firstFailureAt: T0,
        lockedUntil: null,
        throttled: 0,
      });
      // Concurrent updates all land: none is lost to a read-then-write race.
      await Promise.all(Array.from({ length: 12 }, () => store.loginThrottle.update('ip:x', bump)));
      expect((await store.loginThrottle.get('ip:x'))?.failures).toBe(12);
      const op = await store.operators.create({ username: 'dev', passwordHash: 'h', superadmin: false });
      await store.loginDevices.remember('dh', op.id, T0);
      expect(await store.loginDevices.find('dh', new Date(T0.getTime() - 1))).toEqual({ operatorId: op.id });
      expect(await store.loginDevices.find('dh', new Date(T0.getTime() + 1))).toBeUndefined();
      expect(await store.loginDevices.forgetOperator(op.id)).toBe(1);
      const token = await store.apiTokens.create(a.id, {
        tokenHash: 'th2',
        role: 'admin',
        label: 'x',
        createdBy: op.id,
      });
      expect((await store.apiTokens.findByHash('th2'))?.createdBy).toBe(op.id);
      expect(token.createdBy).toBe(op.id);
      // twoOrgs adds one integration per org, neither with a health row yet.
      expect(await store.metrics.credentialStates()).toEqual({ ok: 2 });
      const run = await store.jobRuns.create(a.id, { kind: 'identity_sync' });
      await store.jobRuns.finish(a.id, run.id, { status: 'succeeded', finishedAt: T0 });
      const after = await store.metrics.runsFinishedAfter({ at: new Date(T0.getTime() - 1), id: '' }, 10);
      expect(after.map((r) => [r.id, r.status])).toEqual([[run.id, 'succeeded']]);
      expect(await store.metrics.runsFinishedAfter({ at: T0, id: run.id }, 10)).toEqual([]);
    });

    test('audit log: append-only at the database level, redacted details, scoped listing', async (store) => {
      const { a, b } = await twoOrgs(store);
      const first = await store.auditLog.append({
        actor: 'alice',
        orgId: a.id,
        action: 'integration.create',
        target: 'i1',
        details: { skey: SKEY, host: 'api-a', nested: { password: 'pw' } },
        ip: '127.0.0.1',
        at: T0,
      });
      await store.auditLog.append({ actor: 'alice', action: 'login.success' });
      await store.auditLog.append({ actor: 'bob', orgId: b.id, action: 'evidence.export' });
      expect(first.details).toEqual({
        skey: '[redacted]',
        host: 'api-a',
        nested: { password: '[redacted]' },
      });
      expect(typeof first.id).toBe('number');
      expect((await store.auditLog.list(a.id)).map((e) => e.action)).toEqual(['integration.create']);
      expect((await store.auditLog.list(null)).map((e) => e.action)).toEqual(['login.success']);
      expect((await store.auditLog.listAll()).map((e) => e.action)).toEqual([
        'evidence.export',
        'login.success',
        'integration.create',
      ]);
      expect((await store.auditLog.listAll({ beforeId: first.id + 1 })).length).toBe(1);
      await expect(sql`update audit_log set actor = 'mallory'`.execute(store.db)).rejects.toThrow(
        /append-only/,
      );
      await expect(sql`delete from audit_log`.execute(store.db)).rejects.toThrow(/append-only/);
      expect((await store.auditLog.listAll()).length).toBe(3);
      // Deleting the organization keeps its audit trail.
      await store.organizations.delete(a.id);
      expect((await store.auditLog.list(a.id)).length).toBe(1);
      const dump = JSON.stringify(await store.db.selectFrom('audit_log').selectAll().execute());
      expect(dump).not.toContain(SKEY);
    });
  });
}

export const contractSecrets = { SKEY, IKEY };
