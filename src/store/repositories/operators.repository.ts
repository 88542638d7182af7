import type { Selectable } from 'kysely';
import type { Membership, Operator, Role } from '../models.js';
import type { MembershipsTable, OperatorsTable } from '../tables.js';
import type { RepositoryContext } from './context.js';

/** duowatch's own users. Global (an operator may belong to several organizations through memberships). */
export interface OperatorRepository {
  create(input: { username: string; passwordHash: string; superadmin?: boolean }): Promise<Operator>;
  get(operatorId: string): Promise<Operator | undefined>;
  findByUsername(username: string): Promise<Operator | undefined>;
  list(): Promise<Operator[]>;
  count(): Promise<number>;
  setPasswordHash(operatorId: string, passwordHash: string): Promise<void>;
  setDisabled(operatorId: string, disabled: boolean): Promise<void>;
  setSuperadmin(operatorId: string, superadmin: boolean): Promise<void>;
  recordLogin(operatorId: string, at?: Date): Promise<void>;
  delete(operatorId: string): Promise<boolean>;
}

export interface MembershipRepository {
  /** Grants or changes the operator's role in the organization. */
  grant(orgId: string, operatorId: string, role: Role): Promise<Membership>;
  revoke(orgId: string, operatorId: string): Promise<boolean>;
  roleOf(orgId: string, operatorId: string): Promise<Role | undefined>;
  listForOrganization(orgId: string): Promise<Membership[]>;
  listForOperator(operatorId: string): Promise<Membership[]>;
}

export function operatorRepository(ctx: RepositoryContext): OperatorRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<OperatorsTable>): Operator => ({
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    superadmin: codec.parseBool(row.superadmin),
    disabled: codec.parseBool(row.disabled),
    createdAt: codec.parseTime(row.created_at),
    lastLoginAt: codec.parseTimeOrNull(row.last_login_at),
  });
  const one = async (column: 'id' | 'username', value: string) => {
    const row = await db.selectFrom('operators').selectAll().where(column, '=', value).executeTakeFirst();
    return row === undefined ? undefined : map(row);
  };
  const set = async (operatorId: string, values: Partial<OperatorsTable>) => {
    await db.updateTable('operators').set(values).where('id', '=', operatorId).execute();
  };
  return {
    async create(input) {
      const row = {
        id: ctx.newId(),
        username: input.username,
        password_hash: input.passwordHash,
        superadmin: codec.bool(input.superadmin ?? false),
        disabled: codec.bool(false),
        created_at: codec.time(ctx.clock()),
        last_login_at: null,
      };
      await db.insertInto('operators').values(row).execute();
      return map(row);
    },
    get: (id) => one('id', id),
    findByUsername: (username) => one('username', username),
    async list() {
      return (await db.selectFrom('operators').selectAll().orderBy('username').execute()).map(map);
    },
    async count() {
      const row = await db
        .selectFrom('operators')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      return codec.parseInt(row?.n ?? 0);
    },
    setPasswordHash: (id, hash) => set(id, { password_hash: hash }),
    setDisabled: (id, disabled) => set(id, { disabled: codec.bool(disabled) }),
    setSuperadmin: (id, superadmin) => set(id, { superadmin: codec.bool(superadmin) }),
    recordLogin: (id, at = ctx.clock()) => set(id, { last_login_at: codec.time(at) }),
    async delete(operatorId) {
      const result = await db.deleteFrom('operators').where('id', '=', operatorId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export function membershipRepository(ctx: RepositoryContext): MembershipRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<MembershipsTable>): Membership => ({
    operatorId: row.operator_id,
    orgId: row.org_id,
    role: row.role as Role,
    createdAt: codec.parseTime(row.created_at),
  });
  return {
    async grant(orgId, operatorId, role) {
      const row = { operator_id: operatorId, org_id: orgId, role, created_at: codec.time(ctx.clock()) };
      await db
        .insertInto('memberships')
        .values(row)
        .onConflict((oc) => oc.columns(['operator_id', 'org_id']).doUpdateSet({ role }))
        .execute();
      const stored = await db
        .selectFrom('memberships')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('operator_id', '=', operatorId)
        .executeTakeFirstOrThrow();
      return map(stored);
    },
    async revoke(orgId, operatorId) {
      const result = await db
        .deleteFrom('memberships')
        .where('org_id', '=', orgId)
        .where('operator_id', '=', operatorId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async roleOf(orgId, operatorId) {
      const row = await db
        .selectFrom('memberships')
        .select('role')
        .where('org_id', '=', orgId)
        .where('operator_id', '=', operatorId)
        .executeTakeFirst();
      return row?.role as Role | undefined;
    },
    async listForOrganization(orgId) {
      return (await db.selectFrom('memberships').selectAll().where('org_id', '=', orgId).execute()).map(map);
    },
    async listForOperator(operatorId) {
      return (
        await db.selectFrom('memberships').selectAll().where('operator_id', '=', operatorId).execute()
      ).map(map);
    },
  };
}
