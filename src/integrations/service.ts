import type { ConfiguredIntegration } from '../config/index.js';
import { ServiceError } from '../shared/index.js';
import type { Integration, Store } from '../store/index.js';
import { checkCandidate } from './candidate.js';
import type { DuoClients } from './duo-clients.js';
import { PassingTests } from './passing-tests.js';
import type { Clock } from './test-connection.js';
import { testIntegration } from './test-integration.js';
import type {
  Actor,
  IntegrationsService,
  IntegrationView,
  NewIntegration,
  SaveResult,
  TestReport,
} from './types.js';

export interface IntegrationsServiceOptions {
  store: Store;
  clients: DuoClients;
  clock?: Clock;
}

/** The integrations service plus what only the composition root calls. */
export interface IntegrationsCapabilityService extends IntegrationsService {
  /**
   * Integrations declared in the configuration file: created (with their organization) or their keys
   * rotated in place, audited under the same actions as the API and CLI, by actor `config`. Not tested
   * against Duo: start-up must not depend on Duo being reachable; the first run records the health.
   */
  applyDeclared(declared: readonly ConfiguredIntegration[]): Promise<void>;
}

const NO_TEST: TestReport = { ok: true, checks: [], clockSkewMs: null, serverTime: null, latencyMs: null };
const CONFIG_ACTOR: Actor = { id: 'config' };

export function createIntegrationsService(
  options: IntegrationsServiceOptions,
): IntegrationsCapabilityService {
  const { store, clients } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const passing = new PassingTests(() => clock.now());

  async function org(idOrSlug: string) {
    const found = await store.organizations.resolve(idOrSlug);
    if (found === undefined) throw new ServiceError('not_found', `organization ${idOrSlug} not found`);
    return found;
  }

  async function integration(orgId: string, integrationId: string): Promise<Integration> {
    const found = await store.integrations.get(orgId, integrationId);
    if (found === undefined) throw new ServiceError('not_found', `integration ${integrationId} not found`);
    return found;
  }

  async function audit(
    actor: Actor,
    orgId: string,
    action: string,
    target: string | null,
    details: Record<string, unknown>,
  ): Promise<void> {
    await store.auditLog.append({ actor: actor.id, orgId, action, target, details, ip: actor.ip ?? null });
  }

  async function view(i: Integration): Promise<IntegrationView> {
    const health = await store.credentialHealth.get(i.orgId, i.id);
    const creds = await store.integrations.credentials(i.orgId, i.id);
    const ikey = creds?.ikey.reveal() ?? '';
    return {
      id: i.id,
      orgId: i.orgId,
      kind: i.kind,
      apiHost: i.apiHost,
      label: i.label,
      mkey: i.mkey,
      // Enough of the integration key to recognise it; the secret key is never shown.
      ikeyHint: ikey.length > 8 ? `${ikey.slice(0, 4)}…${ikey.slice(-3)}` : '…',
      health: {
        state: health?.state ?? 'ok',
        until: health?.until?.toISOString() ?? null,
        lastErrorKind: health?.lastErrorKind ?? null,
        lastErrorMessage: health?.lastErrorMessage ?? null,
        lastSuccessAt: health?.lastSuccessAt?.toISOString() ?? null,
      },
      createdAt: i.createdAt.toISOString(),
      updatedAt: i.updatedAt.toISOString(),
    };
  }

  async function testCandidate(input: NewIntegration): Promise<TestReport> {
    const c = checkCandidate(input);
    const recent = passing.recent(c);
    if (recent !== undefined) return recent;
    const client = clients.forCredentials({ host: c.apiHost, ikey: c.ikey, skey: c.skey });
    const report = await testIntegration(client, c.kind, { clock, mkey: c.mkey ?? null });
    passing.remember(c, report);
    return report;
  }

  /** The one write path for a new integration (API, CLI, configuration file). */
  async function create(orgId: string, c: NewIntegration, actor: Actor, details: Record<string, unknown>) {
    const created = await store.integrations.create(orgId, {
      kind: c.kind,
      apiHost: c.apiHost,
      ikey: c.ikey,
      skey: c.skey,
      ...(c.label === undefined ? {} : { label: c.label }),
      ...(c.mkey === undefined ? {} : { mkey: c.mkey }),
    });
    await audit(actor, orgId, 'integration.create', c.apiHost, { kind: c.kind, ...details });
    return created;
  }

  /** The one write path for new keys (API, CLI, configuration file). */
  async function rotateKeys(
    i: Integration,
    keys: { ikey?: string; skey: string },
    actor: Actor,
    details: Record<string, unknown>,
  ) {
    const updated = await store.integrations.rotateSecrets(i.orgId, i.id, {
      skey: keys.skey,
      ...(keys.ikey === undefined ? {} : { ikey: keys.ikey }),
    });
    await audit(actor, i.orgId, 'integration.rotate', i.id, details);
    return updated ?? i;
  }

  return {
    async list(orgId) {
      const o = await org(orgId);
      return Promise.all((await store.integrations.list(o.id)).map(view));
    },
    testCandidate,
    async add(orgId, input, opts, actor): Promise<SaveResult> {
      const o = await org(orgId);
      const c = checkCandidate(input);
      const report = await testCandidate(c);
      const forced = opts.force === true && !report.ok;
      const failedChecks = report.checks.filter((x) => x.status === 'fail').map((x) => x.id);
      if (!report.ok && !forced) {
        await audit(actor, o.id, 'integration.test_failed', c.apiHost, {
          kind: c.kind,
          forced,
          failedChecks,
        });
        return { saved: false, integration: null, report };
      }
      const created = await create(o.id, c, actor, { forced, failedChecks });
      return { saved: true, integration: await view(created), report };
    },
    async test(orgId, integrationId) {
      const o = await org(orgId);
      const i = await integration(o.id, integrationId);
      const client = await clients.forIntegration(store, o.id, i.id);
      return testIntegration(client, i.kind, { clock, mkey: i.mkey });
    },
    async rotate(orgId, integrationId, input, opts, actor): Promise<SaveResult> {
      const o = await org(orgId);
      const i = await integration(o.id, integrationId);
      const current = await store.integrations.credentials(o.id, i.id);
      const candidate = checkCandidate({
        kind: i.kind,
        apiHost: i.apiHost,
        ikey: input.ikey ?? current?.ikey.reveal() ?? '',
        skey: input.skey,
        ...(i.mkey === null ? {} : { mkey: i.mkey }),
      });
      const report = await testCandidate(candidate);
      const forced = opts.force === true && !report.ok;
      const details = { forced, ikeyChanged: input.ikey !== undefined };
      if (!report.ok && !forced) {
        await audit(actor, o.id, 'integration.rotate_test_failed', i.id, details);
        return { saved: false, integration: await view(i), report };
      }
      const updated = await rotateKeys(
        i,
        { skey: candidate.skey, ...(input.ikey === undefined ? {} : { ikey: candidate.ikey }) },
        actor,
        details,
      );
      // The specification: a rotated key clears auth_failed on the next *successful run*; the passing test was one.
      if (report.ok) await store.credentialHealth.recordSuccess(o.id, i.id);
      return { saved: true, integration: await view(updated), report };
    },
    async update(orgId, integrationId, input, opts, actor): Promise<SaveResult> {
      const o = await org(orgId);
      const i = await integration(o.id, integrationId);
      const moved =
        (input.apiHost !== undefined && input.apiHost !== i.apiHost) ||
        (input.mkey !== undefined && input.mkey !== i.mkey);
      let report = NO_TEST;
      let apiHost = i.apiHost;
      if (moved) {
        const creds = await store.integrations.credentials(o.id, i.id);
        const mkey = input.mkey === undefined ? i.mkey : input.mkey;
        const candidate = checkCandidate({
          kind: i.kind,
          apiHost: input.apiHost ?? i.apiHost,
          ikey: creds?.ikey.reveal() ?? '',
          skey: creds?.skey.reveal() ?? '',
          ...(mkey === null ? {} : { mkey }),
        });
        apiHost = candidate.apiHost;
        report = await testCandidate(candidate);
      }
      const save = report.ok || opts.force === true;
      await audit(actor, o.id, save ? 'integration.update' : 'integration.update_test_failed', i.id, {
        fields: Object.keys(input),
        forced: opts.force === true && !report.ok,
      });
      if (!save) return { saved: false, integration: await view(i), report };
      const updated = await store.integrations.update(o.id, i.id, {
        ...(input.label === undefined ? {} : { label: input.label }),
        ...(input.apiHost === undefined ? {} : { apiHost }),
        ...(input.mkey === undefined ? {} : { mkey: input.mkey }),
      });
      return { saved: true, integration: await view(updated ?? i), report };
    },
    async remove(orgId, integrationId, actor) {
      const o = await org(orgId);
      const i = await integration(o.id, integrationId);
      await store.integrations.delete(o.id, i.id);
      await audit(actor, o.id, 'integration.delete', i.id, { kind: i.kind, apiHost: i.apiHost });
    },
    async applyDeclared(declared) {
      for (const d of declared) {
        const o =
          (await store.organizations.findBySlug(d.org)) ??
          (await store.organizations.create({ slug: d.org, name: d.orgName }));
        const existing = (await store.integrations.list(o.id)).find(
          (i) => i.kind === d.kind && i.apiHost === d.apiHost,
        );
        if (existing === undefined) {
          const c = checkCandidate({
            kind: d.kind,
            apiHost: d.apiHost,
            ikey: d.ikey.reveal(),
            skey: d.skey.reveal(),
            label: d.label,
            ...(d.mkey === null ? {} : { mkey: d.mkey }),
          });
          await create(o.id, c, CONFIG_ACTOR, { source: 'config' });
          continue;
        }
        const current = await store.integrations.credentials(o.id, existing.id);
        if (current?.ikey.reveal() !== d.ikey.reveal() || current.skey.reveal() !== d.skey.reveal())
          await rotateKeys(existing, { ikey: d.ikey.reveal(), skey: d.skey.reveal() }, CONFIG_ACTOR, {
            source: 'config',
          });
      }
    },
  };
}
