import type { Kysely } from 'kysely';
import { createCodec, uuidv7, type Store } from '../store/index.js';

interface VerifyRequestsTable {
  id: string;
  org_id: string;
  integration_id: string;
  username: string;
  reason: string;
  requested_by: string;
  txid: string | null;
  state: string;
  result: string | null;
  status: string | null;
  status_msg: string | null;
  created_at: string | Date;
  finished_at: string | Date | null;
}

interface VerifyLoginFactorsTable {
  session_hash: string;
  operator_id: string;
  mfa: boolean | number;
  factor: string | null;
  reason: string;
  created_at: string | Date;
}

interface VerifyBreakGlassTable {
  operator_id: string;
  enabled_at: string | Date;
}

interface VerifyDb {
  verify_break_glass: VerifyBreakGlassTable;
  verify_requests: VerifyRequestsTable;
  verify_login_factors: VerifyLoginFactorsTable;
}

export type VerifyRequestState = 'waiting' | 'allow' | 'deny' | 'error';

export interface VerifyRequest {
  id: string;
  orgId: string;
  integrationId: string;
  username: string;
  reason: string;
  requestedBy: string;
  txid: string | null;
  state: VerifyRequestState;
  result: string | null;
  status: string | null;
  statusMsg: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface LoginFactor {
  operatorId: string;
  mfa: boolean;
  factor: string | null;
  reason: string;
  createdAt: Date;
}

/** The verify capability's repository over the store's database, on SQLite and PostgreSQL alike. */
export function verifyStore(store: Store, clock: () => Date = () => new Date()) {
  const db = store.db as unknown as Kysely<VerifyDb>;
  const codec = createCodec(store.dialect.capabilities);
  const map = (r: VerifyRequestsTable): VerifyRequest => ({
    id: r.id,
    orgId: r.org_id,
    integrationId: r.integration_id,
    username: r.username,
    reason: r.reason,
    requestedBy: r.requested_by,
    txid: r.txid,
    state: r.state as VerifyRequestState,
    result: r.result,
    status: r.status,
    statusMsg: r.status_msg,
    createdAt: codec.parseTime(r.created_at),
    finishedAt: codec.parseTimeOrNull(r.finished_at),
  });
  return {
    async createRequest(input: {
      orgId: string;
      integrationId: string;
      username: string;
      reason: string;
      requestedBy: string;
    }): Promise<VerifyRequest> {
      const row: VerifyRequestsTable = {
        id: uuidv7(),
        org_id: input.orgId,
        integration_id: input.integrationId,
        username: input.username,
        reason: input.reason,
        requested_by: input.requestedBy,
        txid: null,
        state: 'waiting',
        result: null,
        status: null,
        status_msg: null,
        created_at: codec.time(clock()),
        finished_at: null,
      };
      await db.insertInto('verify_requests').values(row).execute();
      return map(row);
    },
    async updateRequest(
      id: string,
      patch: {
        txid?: string;
        state: VerifyRequestState;
        result?: string;
        status?: string;
        statusMsg?: string;
      },
    ): Promise<void> {
      await db
        .updateTable('verify_requests')
        .set({
          state: patch.state,
          ...(patch.txid === undefined ? {} : { txid: patch.txid }),
          ...(patch.result === undefined ? {} : { result: patch.result }),
          ...(patch.status === undefined ? {} : { status: patch.status }),
          ...(patch.statusMsg === undefined ? {} : { status_msg: patch.statusMsg }),
          ...(patch.state === 'waiting' ? {} : { finished_at: codec.time(clock()) }),
        })
        .where('id', '=', id)
        .execute();
    },
    async getRequest(orgId: string, id: string): Promise<VerifyRequest | undefined> {
      const r = await db
        .selectFrom('verify_requests')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r === undefined ? undefined : map(r);
    },
    async listRequests(orgId: string, limit = 50): Promise<VerifyRequest[]> {
      const rows = await db
        .selectFrom('verify_requests')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(Math.max(limit, 1), 500))
        .execute();
      return rows.map(map);
    },
    async recordLoginFactor(sessionHash: string, f: Omit<LoginFactor, 'createdAt'>): Promise<void> {
      await db
        .insertInto('verify_login_factors')
        .values({
          session_hash: sessionHash,
          operator_id: f.operatorId,
          mfa: codec.bool(f.mfa),
          factor: f.factor,
          reason: f.reason,
          created_at: codec.time(clock()),
        })
        .execute();
    },
    async markBreakGlass(operatorId: string): Promise<void> {
      await db.deleteFrom('verify_break_glass').execute();
      await db
        .insertInto('verify_break_glass')
        .values({ operator_id: operatorId, enabled_at: codec.time(clock()) })
        .execute();
    },
    async breakGlassOperator(): Promise<string | undefined> {
      const r = await db.selectFrom('verify_break_glass').select('operator_id').executeTakeFirst();
      return r?.operator_id;
    },
    async loginFactor(sessionHash: string): Promise<LoginFactor | undefined> {
      const r = await db
        .selectFrom('verify_login_factors')
        .selectAll()
        .where('session_hash', '=', sessionHash)
        .executeTakeFirst();
      return r === undefined
        ? undefined
        : {
            operatorId: r.operator_id,
            mfa: codec.parseBool(r.mfa),
            factor: r.factor,
            reason: r.reason,
            createdAt: codec.parseTime(r.created_at),
          };
    },
  };
}

export type VerifyStore = ReturnType<typeof verifyStore>;
