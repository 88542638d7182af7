import type { Selectable } from 'kysely';
import type { Integration, IntegrationCredentials, IntegrationKind } from '../models.js';
import type { IntegrationsTable } from '../tables.js';
import type { SecretBinding } from '../vault/cipher.js';
import type { Secret } from '../vault/secret.js';
import type { RepositoryContext } from './context.js';

export const SECRET_PROVIDER = 'duo';

export interface NewIntegration {
  kind: IntegrationKind;
  apiHost: string;
  label?: string;
  mkey?: string | null;
  ikey: string | Secret;
  skey: string | Secret;
}

export interface IntegrationRepository {
  create(orgId: string, input: NewIntegration): Promise<Integration>;
  get(orgId: string, integrationId: string): Promise<Integration | undefined>;
  list(orgId: string): Promise<Integration[]>;
  update(
    orgId: string,
    integrationId: string,
    patch: { apiHost?: string; label?: string; mkey?: string | null },
  ): Promise<Integration | undefined>;
  /** Replaces the integration key and/or secret key (re-encrypted under the current vault key). */
  rotateSecrets(
    orgId: string,
    integrationId: string,
    secrets: { ikey?: string | Secret; skey?: string | Secret },
  ): Promise<Integration | undefined>;
  delete(orgId: string, integrationId: string): Promise<boolean>;
  /** Decrypts the keys; call it at the moment of use and keep the result no longer than the request. */
  credentials(orgId: string, integrationId: string): Promise<IntegrationCredentials | undefined>;
}

export function secretBinding(orgId: string, rowId: string, column: 'ikey' | 'skey'): SecretBinding {
  return { organizationId: orgId, provider: SECRET_PROVIDER, table: 'integrations', column, rowId };
}

export function integrationRepository(ctx: RepositoryContext): IntegrationRepository {
  const { db, codec, vault } = ctx;
  const map = (row: Selectable<IntegrationsTable>): Integration => ({
    id: row.id,
    orgId: row.org_id,
    kind: row.kind as IntegrationKind,
    apiHost: row.api_host,
    mkey: row.mkey,
    label: row.label,
    keyId: row.key_id,
    createdAt: codec.parseTime(row.created_at),
    updatedAt: codec.parseTime(row.updated_at),
  });
  const row = (orgId: string, integrationId: string) =>
    db
      .selectFrom('integrations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', integrationId)
      .executeTakeFirst();
  const get = async (orgId: string, integrationId: string) => {
    const found = await row(orgId, integrationId);
    return found === undefined ? undefined : map(found);
  };
  return {
    async create(orgId, input) {
      const id = ctx.newId();
      const now = codec.time(ctx.clock());
      const values = {
        id,
        org_id: orgId,
        kind: input.kind,
        api_host: input.apiHost,
        mkey: input.mkey ?? null,
        label: input.label ?? input.kind,
        ikey_ct: vault.encrypt(input.ikey, secretBinding(orgId, id, 'ikey')),
        skey_ct: vault.encrypt(input.skey, secretBinding(orgId, id, 'skey')),
        key_id: vault.currentKeyId,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('integrations').values(values).execute();
      return map(values);
    },
    get,
    async list(orgId) {
      const rows = await db
        .selectFrom('integrations')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(map);
    },
    async update(orgId, integrationId, patch) {
      const set: Partial<IntegrationsTable> = { updated_at: codec.time(ctx.clock()) };
      if (patch.apiHost !== undefined) set.api_host = patch.apiHost;
      if (patch.label !== undefined) set.label = patch.label;
      if (patch.mkey !== undefined) set.mkey = patch.mkey;
      await db
        .updateTable('integrations')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', integrationId)
        .execute();
      return get(orgId, integrationId);
    },
    async rotateSecrets(orgId, integrationId, secrets) {
      return db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('integrations')
          .select(['ikey_ct', 'skey_ct'])
          .where('org_id', '=', orgId)
          .where('id', '=', integrationId)
          .executeTakeFirst();
        if (current === undefined) return undefined;
        // Both columns move to the current key together, so key_id always describes the whole row.
        const ikey =
          secrets.ikey ?? vault.decrypt(current.ikey_ct, secretBinding(orgId, integrationId, 'ikey'));
        const skey =
          secrets.skey ?? vault.decrypt(current.skey_ct, secretBinding(orgId, integrationId, 'skey'));
        await trx
          .updateTable('integrations')
          .set({
            ikey_ct: vault.encrypt(ikey, secretBinding(orgId, integrationId, 'ikey')),
            skey_ct: vault.encrypt(skey, secretBinding(orgId, integrationId, 'skey')),
            key_id: vault.currentKeyId,
            updated_at: codec.time(ctx.clock()),
          })
          .where('org_id', '=', orgId)
          .where('id', '=', integrationId)
          .execute();
        const updated = await trx
          .selectFrom('integrations')
          .selectAll()
          .where('org_id', '=', orgId)
          .where('id', '=', integrationId)
          .executeTakeFirstOrThrow();
        return map(updated);
      });
    },
    async delete(orgId, integrationId) {
      const result = await db
        .deleteFrom('integrations')
        .where('org_id', '=', orgId)
        .where('id', '=', integrationId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async credentials(orgId, integrationId) {
      const found = await row(orgId, integrationId);
      if (found === undefined) return undefined;
      return {
        integrationId,
        orgId,
        apiHost: found.api_host,
        ikey: vault.decrypt(found.ikey_ct, secretBinding(orgId, integrationId, 'ikey')),
        skey: vault.decrypt(found.skey_ct, secretBinding(orgId, integrationId, 'skey')),
      };
    },
  };
}
