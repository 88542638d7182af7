import type { Selectable } from 'kysely';
import type { ApiToken, LoginThrottle, Role, Session } from '../models.js';
import { StoreError } from '../errors.js';
import type { ApiTokensTable, LoginThrottleTable, SessionsTable } from '../tables.js';
import type { RepositoryContext } from './context.js';

/** Sessions are stored by the hash of their id, so a database read does not yield a usable cookie. */
export interface SessionRepository {
  create(input: {
    idHash: string;
    operatorId: string;
    csrfHash: string;
    expiresAt: Date;
    ip?: string | null;
  }): Promise<Session>;
  /** The session, when it exists and has not expired at `now`. */
  find(idHash: string, now?: Date): Promise<Session | undefined>;
  extend(idHash: string, expiresAt: Date): Promise<void>;
  delete(idHash: string): Promise<boolean>;
  deleteForOperator(operatorId: string): Promise<number>;
  deleteExpired(now?: Date): Promise<number>;
}

/** API tokens are stored by hash and scoped to one organization and role. */
export interface ApiTokenRepository {
  create(
    orgId: string,
    input: {
      tokenHash: string;
      role: Role;
      label: string;
      expiresAt?: Date | null;
      /** The operator creating it; the server stops honouring the token when they lose the role. */
      createdBy?: string | null;
    },
  ): Promise<ApiToken>;
  /** Looks a presented token up by its hash; expired tokens are not returned. The token names its organization. */
  findByHash(tokenHash: string, now?: Date): Promise<ApiToken | undefined>;
  list(orgId: string): Promise<ApiToken[]>;
  touch(orgId: string, tokenId: string, at?: Date): Promise<void>;
  revoke(orgId: string, tokenId: string): Promise<boolean>;
}

/**
 * Failed-login counters keyed by whatever the caller throttles on (username, IP, device, …). `update` is
 * the one to use under concurrency: it reads, applies the change and writes back only if nobody wrote in
 * between (a version column), retrying otherwise, on SQLite and PostgreSQL alike.
 */
export interface LoginThrottleRepository {
  get(key: string): Promise<LoginThrottle | undefined>;
  set(state: Omit<LoginThrottle, 'throttled'> & { throttled?: number }): Promise<void>;
  clear(key: string): Promise<void>;
  /**
   * Atomically replaces the key's state with `change(current)` (undefined leaves it as it is) and returns the
   * state it was applied to and the result. `change` must be pure: it may run more than once.
   */
  update(
    key: string,
    change: (current: LoginThrottle | undefined) => LoginThrottle | undefined,
  ): Promise<{ before: LoginThrottle | undefined; after: LoginThrottle | undefined }>;
}

/** Devices (a cookie's hash) that completed a sign-in for an operator; see docs/server.md. */
export interface LoginDeviceRepository {
  remember(tokenHash: string, operatorId: string, at?: Date): Promise<void>;
  /** The operator the device signed in as, when it is known and was used since `notBefore`. */
  find(tokenHash: string, notBefore: Date): Promise<{ operatorId: string } | undefined>;
  forgetOperator(operatorId: string): Promise<number>;
}

export function sessionRepository(ctx: RepositoryContext): SessionRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<SessionsTable>): Session => ({
    idHash: row.id_hash,
    operatorId: row.operator_id,
    csrfHash: row.csrf_hash,
    expiresAt: codec.parseTime(row.expires_at),
    createdAt: codec.parseTime(row.created_at),
    ip: row.ip,
  });
  return {
    async create(input) {
      const row = {
        id_hash: input.idHash,
        operator_id: input.operatorId,
        csrf_hash: input.csrfHash,
        expires_at: codec.time(input.expiresAt),
        created_at: codec.time(ctx.clock()),
        ip: input.ip ?? null,
      };
      await db.insertInto('sessions').values(row).execute();
      return map(row);
    },
    async find(idHash, now = ctx.clock()) {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .where('expires_at', '>', codec.time(now))
        .executeTakeFirst();
      return row === undefined ? undefined : map(row);
    },
    async extend(idHash, expiresAt) {
      await db
        .updateTable('sessions')
        .set({ expires_at: codec.time(expiresAt) })
        .where('id_hash', '=', idHash)
        .execute();
    },
    async delete(idHash) {
      const result = await db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async deleteForOperator(operatorId) {
      const result = await db.deleteFrom('sessions').where('operator_id', '=', operatorId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteExpired(now = ctx.clock()) {
      const result = await db
        .deleteFrom('sessions')
        .where('expires_at', '<=', codec.time(now))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function apiTokenRepository(ctx: RepositoryContext): ApiTokenRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<ApiTokensTable>): ApiToken => ({
    id: row.id,
    tokenHash: row.token_hash,
    orgId: row.org_id,
    role: row.role as Role,
    label: row.label,
    createdAt: codec.parseTime(row.created_at),
    lastUsedAt: codec.parseTimeOrNull(row.last_used_at),
    expiresAt: codec.parseTimeOrNull(row.expires_at),
    createdBy: row.created_by,
  });
  return {
    async create(orgId, input) {
      const row = {
        id: ctx.newId(),
        token_hash: input.tokenHash,
        org_id: orgId,
        role: input.role,
        label: input.label,
        created_at: codec.time(ctx.clock()),
        last_used_at: null,
        expires_at: input.expiresAt ? codec.time(input.expiresAt) : null,
        created_by: input.createdBy ?? null,
      };
      await db.insertInto('api_tokens').values(row).execute();
      return map(row);
    },
    async findByHash(tokenHash, now = ctx.clock()) {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', codec.time(now))]))
        .executeTakeFirst();
      return row === undefined ? undefined : map(row);
    },
    async list(orgId) {
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at')
        .execute();
      return rows.map(map);
    },
    async touch(orgId, tokenId, at = ctx.clock()) {
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: codec.time(at) })
        .where('org_id', '=', orgId)
        .where('id', '=', tokenId)
        .execute();
    },
    async revoke(orgId, tokenId) {
      const result = await db
        .deleteFrom('api_tokens')
        .where('org_id', '=', orgId)
        .where('id', '=', tokenId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

/** Compare-and-set attempts before giving up; each retry means another writer changed the row meanwhile. */
const MAX_CAS_ATTEMPTS = 100;

export function loginThrottleRepository(ctx: RepositoryContext): LoginThrottleRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<LoginThrottleTable>): LoginThrottle => ({
    key: row.key,
    failures: codec.parseInt(row.failures),
    firstFailureAt: codec.parseTime(row.first_failure_at),
    lockedUntil: codec.parseTimeOrNull(row.locked_until),
    throttled: codec.parseInt(row.throttled),
  });
  const columns = (state: Omit<LoginThrottle, 'key' | 'throttled'> & { throttled?: number }) => ({
    failures: state.failures,
    first_failure_at: codec.time(state.firstFailureAt),
    locked_until: state.lockedUntil ? codec.time(state.lockedUntil) : null,
    throttled: state.throttled ?? 0,
  });
  const read = (key: string) =>
    db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  return {
    async get(key) {
      const row = await read(key);
      return row === undefined ? undefined : map(row);
    },
    async set(state) {
      const values = columns(state);
      await db
        .insertInto('login_throttle')
        .values({ key: state.key, ...values })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({ ...values, version: (eb) => eb('login_throttle.version', '+', 1) }),
        )
        .execute();
    },
    async clear(key) {
      await db.deleteFrom('login_throttle').where('key', '=', key).execute();
    },
    async update(key, change) {
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt += 1) {
        const row = await read(key);
        const before = row === undefined ? undefined : map(row);
        const after = change(before);
        if (after === undefined) return { before, after: before };
        const values = columns(after);
        if (row === undefined) {
          // Whoever inserts first wins; the loser re-reads and applies its change to the winner's row.
          const inserted = await db
            .insertInto('login_throttle')
            .values({ key, ...values, version: 0 })
            .onConflict((oc) => oc.column('key').doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { before, after };
          continue;
        }
        const version = codec.parseInt(row.version);
        const updated = await db
          .updateTable('login_throttle')
          .set({ ...values, version: version + 1 })
          .where('key', '=', key)
          .where('version', '=', version)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) > 0) return { before, after };
      }
      throw new StoreError('store.contention', `login_throttle ${key} kept changing; gave up`);
    },
  };
}

export function loginDeviceRepository(ctx: RepositoryContext): LoginDeviceRepository {
  const { db, codec } = ctx;
  return {
    async remember(tokenHash, operatorId, at = ctx.clock()) {
      const t = codec.time(at);
      await db
        .insertInto('login_devices')
        .values({ token_hash: tokenHash, operator_id: operatorId, created_at: t, last_used_at: t })
        .onConflict((oc) => oc.column('token_hash').doUpdateSet({ operator_id: operatorId, last_used_at: t }))
        .execute();
    },
    async find(tokenHash, notBefore) {
      const row = await db
        .selectFrom('login_devices')
        .select(['operator_id'])
        .where('token_hash', '=', tokenHash)
        .where('last_used_at', '>=', codec.time(notBefore))
        .executeTakeFirst();
      return row === undefined ? undefined : { operatorId: row.operator_id };
    },
    async forgetOperator(operatorId) {
      const result = await db
        .deleteFrom('login_devices')
        .where('operator_id', '=', operatorId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
