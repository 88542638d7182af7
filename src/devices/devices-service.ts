import type { AlertRaiser } from '../app/index.js';
import type { DuoClient } from '../duo/index.js';
import { NO_CONTROLS } from '../shared/index.js';
import type { Integration, Store } from '../store/index.js';
import { deviceApi } from './device-api.js';
import { DEVICE_OSES, type DeviceOs } from './device-os.js';
import { devicesRepository, type DevicesRepository, type SyncRunRecord } from './devices-repository.js';
import { DevicesError, DevicesInputError } from './errors.js';
import { readDeviceIds, type DeviceList, type InputFormat } from './read-device-ids.js';
import { runSync, type SyncResult } from './sync.js';
import type { SyncProgress } from './sync-types.js';
import { storedProgress, type RunProgress } from './stored-progress.js';

export interface DevicesSettings {
  shrinkThreshold: number;
  staleAfterHours: number;
}

export interface SyncInput {
  bytes: Buffer;
  /** Where it came from, recorded with the run (file name, "stdin", "upload", URL). */
  source: string;
}

export interface SyncOptions {
  format?: InputFormat;
  idColumn?: string;
  skipInvalid?: boolean;
  /** `plan` reads and compares only; `upload` also proves the data in a pending cache it then deletes. */
  dryRun?: false | 'plan' | 'upload';
  force?: boolean;
  deleteForeignPending?: boolean;
  /** Declares (and remembers) the integration's OS. */
  os?: DeviceOs;
  shrinkThreshold?: number;
  trigger: 'cli' | 'api' | 'schedule';
  actor: string;
  onProgress?: (p: SyncProgress) => void | Promise<void>;
}

/** A sync's result plus what the reader found in the input. */
export interface SyncReport extends SyncResult {
  orgId: string;
  integrationId: string;
  input: {
    records: number;
    ids: number;
    duplicates: number;
    rejected: DeviceList['rejected'];
    column: string;
    os: DeviceOs | null;
  };
}

export interface DevicesStatus {
  integrationId: string;
  label: string;
  os: DeviceOs | null;
  active: { cache_key: string; device_count: number } | null;
  pending: Array<{ cache_key: string; device_count: number; createdByDuowatch: boolean }>;
  lastRun: SyncRunRecord | null;
  lastSuccessAt: string | null;
  stale: boolean;
}

export interface DevicesServiceDeps {
  store: Store;
  /** A Duo client for a stored integration (decrypts its keys at the moment of use). */
  clientFor: (orgId: string, integrationId: string) => Promise<DuoClient>;
  settings: DevicesSettings;
  alerts?: AlertRaiser;
  clock?: () => Date;
  /** Batch retry delays (tests shorten them). */
  batchRetryDelaysMs?: readonly number[];
}

export interface DevicesService {
  readonly repo: DevicesRepository;
  resolve(orgSlug: string, integrationRef: string): Promise<{ orgId: string; integration: Integration }>;
  /** Reads, validates, and syncs (or plans); input errors throw DevicesInputError, everything else is a result. */
  sync(orgSlug: string, integrationRef: string, input: SyncInput, opts: SyncOptions): Promise<SyncReport>;
  status(orgSlug: string, integrationRef: string): Promise<DevicesStatus>;
  /** How far the running (or the last) sync of the integration is, whichever process runs it. */
  progress(orgSlug: string, integrationRef: string): Promise<RunProgress | null>;
  runs(orgSlug: string, integrationRef?: string, limit?: number): Promise<SyncRunRecord[]>;
  /** Raises an alert for every device integration whose last successful sync is older than the threshold. */
  checkStale(): Promise<number>;
}

export function createDevicesService(deps: DevicesServiceDeps): DevicesService {
  const clock = deps.clock ?? (() => new Date());
  const repo = devicesRepository(deps.store, clock);
  const stored = storedProgress(deps.store, clock);
  const { store } = deps;

  async function resolve(orgSlug: string, ref: string) {
    const org = await store.organizations.findBySlug(orgSlug);
    if (org === undefined)
      throw new DevicesError('not_found', `organization ${orgSlug} not found`, { status: 404, exitCode: 1 });
    const all = (await store.integrations.list(org.id)).filter((i) => i.kind === 'device');
    const matches = all.filter((i) => i.id === ref || i.label === ref);
    if (matches.length !== 1 || matches[0] === undefined)
      throw new DevicesError(
        matches.length > 1 ? 'ambiguous_integration' : 'not_found',
        matches.length > 1
          ? `${String(matches.length)} Device API integrations are labelled ${ref}: use the id`
          : `no Device API integration ${ref} in ${orgSlug} (add one: duowatch integrations add --kind device)`,
        { status: 404 },
      );
    const integration = matches[0];
    if (integration.mkey === null || integration.mkey === '')
      throw new DevicesError(
        'missing_mkey',
        `integration ${integration.id} has no management system key (mkey)`,
      );
    return { orgId: org.id, integration };
  }

  async function stale(orgId: string, integrationId: string): Promise<{ stale: boolean; last: Date | null }> {
    const last = await repo.lastSuccess(orgId, integrationId);
    const at = last?.finishedAt ?? null;
    const limit = deps.settings.staleAfterHours * 3_600_000;
    return { stale: at === null || clock().getTime() - at.getTime() > limit, last: at };
  }

  return {
    repo,
    resolve,
    async sync(orgSlug, ref, input, opts) {
      const { orgId, integration } = await resolve(orgSlug, ref);
      if (opts.os !== undefined) {
        if (!DEVICE_OSES.includes(opts.os))
          throw new DevicesInputError('invalid_os', `unknown OS ${String(opts.os)}`);
        await repo.setOs(orgId, integration.id, opts.os);
      }
      const os = opts.os ?? (await repo.getOs(orgId, integration.id));
      const list = readDeviceIds(input.bytes, {
        os,
        ...(opts.format === undefined ? {} : { format: opts.format }),
        ...(opts.idColumn === undefined ? {} : { idColumn: opts.idColumn }),
        ...(opts.skipInvalid === undefined ? {} : { skipInvalid: opts.skipInvalid }),
      });
      // The first upload that names its OS (an export's OS column) declares it for the integration.
      if (os === null && list.os !== null) await repo.setOs(orgId, integration.id, list.os);
      const client = await deps.clientFor(orgId, integration.id);
      // The dashboard's progress bar (docs/devices.md "Live progress"), in the database for every process
      // (stored-progress.ts). Written once the sync holds the lease: a run refused by the lease never
      // overwrites the progress of the one holding it.
      const dryRun = (opts.dryRun ?? false) !== false;
      const startedAt = clock();
      // The last progress written (an object, so the closure's writes are seen by the type checker).
      const written: { run: RunProgress | null } = { run: null };
      const persist = async (next: RunProgress): Promise<void> => {
        written.run = next;
        // Progress is for display: a failed write must not fail the sync it describes.
        await stored.save(orgId, integration.id, next).catch(() => undefined);
      };
      let result: SyncResult;
      try {
        result = await runSync(
          {
            orgId,
            integrationId: integration.id,
            ids: list.ids,
            dryRun: opts.dryRun ?? false,
            force: opts.force === true,
            shrinkThreshold: opts.shrinkThreshold ?? deps.settings.shrinkThreshold,
            deleteForeignPending: opts.deleteForeignPending === true,
            trigger: opts.trigger,
            source: input.source,
          },
          {
            api: deviceApi(client, integration.mkey ?? ''),
            repo,
            clock,
            ...(deps.batchRetryDelaysMs === undefined ? {} : { batchRetryDelaysMs: deps.batchRetryDelaysMs }),
            onLeased: () =>
              persist({
                running: true,
                phase: 'starting',
                done: 0,
                total: 0,
                trigger: opts.trigger,
                dryRun,
                startedAt,
                updatedAt: clock(),
                outcome: null,
              }),
            onProgress: async (p) => {
              await persist({
                running: true,
                phase: p.phase,
                done: p.done,
                total: p.total,
                trigger: opts.trigger,
                dryRun,
                startedAt,
                updatedAt: clock(),
                outcome: null,
              });
              await opts.onProgress?.(p);
            },
          },
        );
      } catch (error) {
        const last = written.run;
        if (last !== null)
          await persist({ ...last, running: false, phase: 'done', outcome: 'failed', updatedAt: clock() });
        throw error;
      }
      if (result.error?.code !== 'sync_locked')
        await persist({
          running: false,
          phase: 'done',
          done: written.run?.done ?? 0,
          total: written.run?.total ?? 0,
          trigger: opts.trigger,
          dryRun,
          startedAt,
          updatedAt: clock(),
          outcome: result.outcome,
        });
      const report: SyncReport = {
        ...result,
        orgId,
        integrationId: integration.id,
        input: {
          records: list.records,
          ids: list.ids.length,
          duplicates: list.duplicates.length,
          rejected: list.rejected,
          column: list.column,
          os: list.os,
        },
      };
      await record(report, opts, integration);
      return report;
    },
    async progress(orgSlug, ref) {
      const { integration } = await resolve(orgSlug, ref);
      return (await stored.load(integration.id)) ?? null;
    },
    async status(orgSlug, ref) {
      const { orgId, integration } = await resolve(orgSlug, ref);
      const api = deviceApi(await deps.clientFor(orgId, integration.id), integration.mkey ?? '');
      const caches = await api.listCaches();
      const active = caches.find((c) => c.status === 'active');
      const pending = [];
      for (const c of caches.filter((x) => x.status === 'pending'))
        pending.push({
          cache_key: c.cache_key,
          device_count: c.device_count,
          createdByDuowatch: await repo.isOwnPending(integration.id, c.cache_key),
        });
      const [lastRun] = await repo.runs(orgId, integration.id, 1);
      const s = await stale(orgId, integration.id);
      return {
        integrationId: integration.id,
        label: integration.label,
        os: await repo.getOs(orgId, integration.id),
        active:
          active === undefined ? null : { cache_key: active.cache_key, device_count: active.device_count },
        pending,
        lastRun: lastRun ?? null,
        lastSuccessAt: s.last?.toISOString() ?? null,
        stale: s.stale,
      };
    },
    async runs(orgSlug, ref, limit) {
      if (ref === undefined) {
        const org = await store.organizations.findBySlug(orgSlug);
        if (org === undefined)
          throw new DevicesError('not_found', `organization ${orgSlug} not found`, { status: 404 });
        return repo.runs(org.id, undefined, limit);
      }
      const { orgId, integration } = await resolve(orgSlug, ref);
      return repo.runs(orgId, integration.id, limit);
    },
    async checkStale() {
      let raised = 0;
      for (const org of await store.organizations.list()) {
        for (const i of await store.integrations.list(org.id)) {
          if (i.kind !== 'device') continue;
          const s = await stale(org.id, i.id);
          if (!s.stale) continue;
          raised++;
          await deps.alerts?.raise({
            orgId: org.id,
            source: 'devices',
            rule: 'devices.cache_stale',
            title: `Trusted-endpoint cache of ${i.label} not refreshed for more than ${String(deps.settings.staleAfterHours)} h`,
            severity: 'medium',
            entity: i.id,
            firstSeen: clock(),
            lastSeen: clock(),
            fields: {
              lastSuccessAt: s.last?.toISOString() ?? null,
              staleAfterHours: deps.settings.staleAfterHours,
            },
            dedupeKey: `devices.cache_stale:${i.id}`,
          });
        }
      }
      return raised;
    },
  };

  /** Audit every sync; keep a real one as compliance evidence; alert when a scheduled one fails. */
  async function record(report: SyncReport, opts: SyncOptions, integration: Integration): Promise<void> {
    const dry = opts.dryRun !== undefined && opts.dryRun !== false;
    await store.auditLog.append({
      actor: opts.actor,
      orgId: report.orgId,
      action: dry ? 'devices.plan' : 'devices.sync',
      target: integration.id,
      details: {
        outcome: report.outcome,
        plan: report.plan,
        uploaded: report.uploaded,
        device_count: report.device_count,
        forced: opts.force === true,
        error: report.error?.code ?? null,
        runId: report.runId,
      },
    });
    if (!dry && report.outcome !== 'shrink_refused' && report.outcome !== 'planned') {
      const now = clock();
      await store.evidence.insert({
        orgId: report.orgId,
        integrationId: integration.id,
        id: 'devices.cache_sync',
        status: report.outcome === 'synced' ? 'pass' : 'fail',
        metrics: {
          integration: integration.label,
          exported: report.input.ids,
          device_count: report.device_count,
          matched: report.outcome === 'synced',
          plan: report.plan,
          statement:
            report.outcome === 'synced'
              ? `the trusted-endpoint cache matched the fleet export (${String(report.device_count)} devices) on ${now.toISOString()}`
              : `the trusted-endpoint sync failed on ${now.toISOString()}: ${report.error?.code ?? 'error'}`,
        },
        // No framework control maps to it; it is evidence of the sync itself, not one of the signals.
        controls: NO_CONTROLS,
        truncated: false,
        notes: [],
        extended: false,
        runId: null,
        startedAt: new Date(now.getTime() - report.durationMs).toISOString(),
        finishedAt: now.toISOString(),
      });
    }
    if (opts.trigger === 'schedule' && (report.outcome === 'failed' || report.outcome === 'shrink_refused')) {
      await deps.alerts?.raise({
        orgId: report.orgId,
        source: 'devices',
        rule: report.outcome === 'failed' ? 'devices.sync_failed' : 'devices.shrink_refused',
        title:
          report.outcome === 'failed'
            ? `Scheduled trusted-endpoint sync of ${integration.label} failed: ${report.error?.code ?? 'error'}`
            : `Scheduled trusted-endpoint sync of ${integration.label} refused: it would remove ${String(report.plan.removed)} of ${String(report.plan.active)} devices`,
        severity: 'high',
        entity: integration.id,
        firstSeen: clock(),
        lastSeen: clock(),
        fields: {
          plan: report.plan,
          error: report.error?.message ?? null,
          removedSample: report.removedSample.slice(0, 10),
          runId: report.runId,
        },
        dedupeKey: `${report.outcome}:${integration.id}`,
      });
    }
  }
}
