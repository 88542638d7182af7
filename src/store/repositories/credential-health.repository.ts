import type { Selectable } from 'kysely';
import type { CredentialHealth, CredentialState } from '../models.js';
import type { CredentialHealthTable } from '../tables.js';
import { StoreError } from '../errors.js';
import type { RepositoryContext } from './context.js';

export interface CredentialFailure {
  state: Exclude<CredentialState, 'ok'>;
  /** Until when scheduled runs skip the credential; null means "retry on the next tick" (rate_limited). */
  until: Date | null;
  errorKind: string;
  errorMessage: string;
  at?: Date;
}

export interface CredentialHealthRepository {
  get(orgId: string, integrationId: string): Promise<CredentialHealth | undefined>;
  list(orgId: string): Promise<CredentialHealth[]>;
  /** A run succeeded: state ok, back-off cleared (the specification: a rotated key clears auth_failed on success). */
  recordSuccess(orgId: string, integrationId: string, at?: Date): Promise<CredentialHealth>;
  recordFailure(orgId: string, integrationId: string, failure: CredentialFailure): Promise<CredentialHealth>;
  /**
   * A failure that says nothing about the credential (network, 5xx, timeout): the state and its back-off
   * stay as they were; only the last error is recorded, so the dashboard can explain the failed run.
   */
  recordTransientError(
    orgId: string,
    integrationId: string,
    error: { errorKind: string; errorMessage: string; at?: Date },
  ): Promise<CredentialHealth>;
  /** Writes a health the caller computed (the evidence runs: success, failure or a transient error). */
  put(
    orgId: string,
    integrationId: string,
    health: Omit<CredentialHealth, 'orgId' | 'integrationId'>,
  ): Promise<CredentialHealth>;
  // Whether a run skips the credential is the integrations capability's one rule (`isBackedOff`), not here.
}

export function credentialHealthRepository(ctx: RepositoryContext): CredentialHealthRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<CredentialHealthTable>): CredentialHealth => ({
    orgId: row.org_id,
    integrationId: row.integration_id,
    state: row.state as CredentialState,
    until: codec.parseTimeOrNull(row.until),
    lastErrorKind: row.last_error_kind,
    lastErrorMessage: row.last_error_message,
    lastSuccessAt: codec.parseTimeOrNull(row.last_success_at),
    updatedAt: codec.parseTime(row.updated_at),
  });
  const get = async (orgId: string, integrationId: string) => {
    const row = await db
      .selectFrom('credential_health')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('integration_id', '=', integrationId)
      .executeTakeFirst();
    return row === undefined ? undefined : map(row);
  };
  const upsert = async (
    orgId: string,
    integrationId: string,
    values: Omit<CredentialHealthTable, 'org_id' | 'integration_id'>,
  ) => {
    // The org/integration pair is checked by the foreign key and by the scoped read below; an integration of
    // another organization makes the insert fail instead of writing health into the wrong tenant.
    const owned = await db
      .selectFrom('integrations')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', integrationId)
      .executeTakeFirst();
    if (owned === undefined)
      throw new StoreError(
        'store.not_found',
        `integration ${integrationId} not found in organization ${orgId}`,
        {
          status: 404,
        },
      );
    await db
      .insertInto('credential_health')
      .values({ org_id: orgId, integration_id: integrationId, ...values })
      .onConflict((oc) => oc.column('integration_id').doUpdateSet(values))
      .execute();
    const stored = await get(orgId, integrationId);
    if (stored === undefined)
      throw new StoreError('store.inconsistent', 'credential health vanished after upsert');
    return stored;
  };
  return {
    get,
    async list(orgId) {
      return (await db.selectFrom('credential_health').selectAll().where('org_id', '=', orgId).execute()).map(
        map,
      );
    },
    async recordSuccess(orgId, integrationId, at = ctx.clock()) {
      const time = codec.time(at);
      return upsert(orgId, integrationId, {
        state: 'ok',
        until: null,
        last_error_kind: null,
        last_error_message: null,
        last_success_at: time,
        updated_at: time,
      });
    },
    async recordFailure(orgId, integrationId, failure) {
      const previous = await get(orgId, integrationId);
      const at = failure.at ?? ctx.clock();
      return upsert(orgId, integrationId, {
        state: failure.state,
        until: failure.until === null ? null : codec.time(failure.until),
        last_error_kind: failure.errorKind,
        last_error_message: failure.errorMessage.slice(0, 2000),
        last_success_at: previous?.lastSuccessAt ? codec.time(previous.lastSuccessAt) : null,
        updated_at: codec.time(at),
      });
    },
    async put(orgId, integrationId, h) {
      return upsert(orgId, integrationId, {
        state: h.state,
        until: h.until === null ? null : codec.time(h.until),
        last_error_kind: h.lastErrorKind,
        last_error_message: h.lastErrorMessage === null ? null : h.lastErrorMessage.slice(0, 2000),
        last_success_at: h.lastSuccessAt === null ? null : codec.time(h.lastSuccessAt),
        updated_at: codec.time(h.updatedAt),
      });
    },
    async recordTransientError(orgId, integrationId, error) {
      const previous = await get(orgId, integrationId);
      const at = error.at ?? ctx.clock();
      return upsert(orgId, integrationId, {
        state: previous?.state ?? 'ok',
        until: previous?.until ? codec.time(previous.until) : null,
        last_error_kind: error.errorKind,
        last_error_message: error.errorMessage.slice(0, 2000),
        last_success_at: previous?.lastSuccessAt ? codec.time(previous.lastSuccessAt) : null,
        updated_at: codec.time(at),
      });
    },
  };
}
