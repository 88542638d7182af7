import { randomUUID } from 'node:crypto';
import { DuoApiError } from '../duo/index.js';
import { stripControl } from '../shared/index.js';
import type { DeviceApi } from './device-api.js';
import type { DevicesRepository } from './devices-repository.js';
import { DevicesError } from './errors.js';
import type { SyncOutcome, SyncPlan, SyncProgress } from './sync-types.js';

/** Duo accepts at most 1,000 identifiers per add (its docs and upload script). */
export const BATCH_SIZE = 1000;
export const DEFAULT_SHRINK_THRESHOLD = 0.5;

export interface SyncRequest {
  orgId: string;
  integrationId: string;
  /** Valid, de-duplicated identifiers (see readDeviceIds). */
  ids: readonly string[];
  /** `plan`: read and compare only. `upload`: also upload to a pending cache, then delete it. */
  dryRun?: false | 'plan' | 'upload';
  /** Sync even when the shrink guard would refuse. */
  force?: boolean;
  /** Fraction of the active devices a sync may remove without `force` (default 0.5). */
  shrinkThreshold?: number;
  /** Delete a pending cache duowatch did not create (another uploader's) when Duo answers 409. */
  deleteForeignPending?: boolean;
  trigger: 'cli' | 'api' | 'schedule';
  /** Where the list came from (a file name, "stdin", "upload", a URL): recorded, never its content. */
  source: string;
}

export interface SyncDeps {
  api: DeviceApi;
  repo: DevicesRepository;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Who holds the lease (host/pid plus a random part): shown to whoever is refused. */
  holder?: string;
  leaseTtlMs?: number;
  /** Delays before retrying a batch that got a 429, a 5xx or a network failure. */
  batchRetryDelaysMs?: readonly number[];
  onProgress?: (p: SyncProgress) => void | Promise<void>;
  /** The run holds the lease (before any Duo call); a run the lease refuses never gets here. */
  onLeased?: () => void | Promise<void>;
}

export interface SyncError {
  code: string;
  message: string;
  /** Duo's numeric code and detail, when Duo refused (kept, unlike Duo's own script). */
  duoCode?: number;
  duoDetail?: string;
  httpStatus?: number;
}

export interface SyncResult {
  runId: string;
  plan: SyncPlan;
  uploaded: number;
  activated: boolean;
  device_count: number | null;
  outcome: SyncOutcome;
  /** Up to 20 identifiers the sync removes (or would remove) from trust. */
  removedSample: string[];
  durationMs: number;
  error?: SyncError;
  /** Lines worth showing a person (cleanup notes, 409 explanations). */
  notes: string[];
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * One sync of one management integration (docs/devices.md "The sync"): lease → read the active cache →
 * plan → shrink guard → pending cache → batches (retried) → verify `device_count` → activate → confirm.
 * Any failure after the pending cache exists deletes it, so the active cache is never touched by a
 * partial upload. Never throws for Duo or guard failures: the result carries the outcome and the error.
 */
export async function runSync(req: SyncRequest, deps: SyncDeps): Promise<SyncResult> {
  const clock = deps.clock ?? (() => new Date());
  const sleep = deps.sleep ?? defaultSleep;
  const holder = deps.holder ?? `pid ${String(process.pid)} ${randomUUID().slice(0, 8)}`;
  const ttl = deps.leaseTtlMs ?? 60_000;
  const runId = randomUUID();
  const started = clock();
  const notes: string[] = [];
  const result: SyncResult = {
    runId,
    plan: { active: 0, added: 0, removed: 0, unchanged: 0, exact: true },
    uploaded: 0,
    activated: false,
    device_count: null,
    outcome: 'failed',
    removedSample: [],
    durationMs: 0,
    notes,
  };
  const progress = async (p: SyncProgress) => {
    await deps.onProgress?.(p);
  };

  const lease = await deps.repo.acquireLease(req.orgId, req.integrationId, holder, ttl);
  if (!lease.ok) {
    result.error = {
      code: 'sync_locked',
      message: `another sync of this integration is running (${lease.holder}, lease until ${lease.expiresAt.toISOString()}); try again when it ends`,
    };
    return finish(result, req, deps, started, clock, false);
  }
  // Keep the lease while we work; a crashed process stops renewing and the lease expires by itself.
  const renew = setInterval(
    () => {
      void deps.repo.renewLease(req.integrationId, holder, ttl).catch(() => undefined);
    },
    Math.max(1000, ttl / 3),
  );
  renew.unref();
  try {
    await deps.onLeased?.();
    await doSync(req, deps, result, { sleep, progress, runId });
  } catch (error) {
    result.outcome = 'failed';
    result.error = describe(error);
  } finally {
    clearInterval(renew);
    await deps.repo.releaseLease(req.integrationId, holder);
  }
  return finish(result, req, deps, started, clock, true);
}

async function finish(
  result: SyncResult,
  req: SyncRequest,
  deps: SyncDeps,
  started: Date,
  clock: () => Date,
  record: boolean,
): Promise<SyncResult> {
  const finished = clock();
  result.durationMs = finished.getTime() - started.getTime();
  if (record)
    await deps.repo.recordRun({
      id: result.runId,
      orgId: req.orgId,
      integrationId: req.integrationId,
      trigger: req.trigger,
      source: req.source,
      dryRun: req.dryRun !== undefined && req.dryRun !== false,
      startedAt: started,
      finishedAt: finished,
      durationMs: result.durationMs,
      outcome: result.outcome,
      plan: result.plan,
      uploaded: result.uploaded,
      activated: result.activated,
      deviceCount: result.device_count,
      errorCode: result.error?.code ?? null,
      errorMessage: result.error?.message ?? null,
    });
  return result;
}

interface Ctx {
  sleep: (ms: number) => Promise<void>;
  progress: (p: SyncProgress) => Promise<void>;
  runId: string;
}

async function doSync(req: SyncRequest, deps: SyncDeps, result: SyncResult, ctx: Ctx): Promise<void> {
  const { api } = deps;
  const total = req.ids.length;
  if (total === 0)
    throw new DevicesError('empty_list', 'refusing to replace the active cache with an empty list');

  // 1. Plan against the active cache.
  const active = (await api.listCaches('active'))[0];
  let activeIds: string[] | null = [];
  if (active !== undefined) {
    activeIds = await readAll(api, active.cache_key, active.device_count, ctx);
    if (activeIds === null)
      notes(
        result,
        'Duo listed the active cache’s count but not its identifiers: the plan is estimated from counts',
      );
  }
  const activeCount = active?.device_count ?? 0;
  result.plan = planOf(req.ids, activeIds, activeCount);
  result.removedSample = removedOf(req.ids, activeIds).slice(0, 20);

  // 2. Shrink guard: an accidental partial export must not silently untrust most of the fleet.
  const threshold = req.shrinkThreshold ?? 0.5;
  if (activeCount > 0 && result.plan.removed / activeCount > threshold && req.force !== true) {
    result.outcome = 'shrink_refused';
    const pct = Math.round((100 * result.plan.removed) / activeCount);
    const which =
      result.removedSample.length > 0 ? ` (e.g. ${result.removedSample.slice(0, 5).join(', ')})` : '';
    result.error = {
      code: 'shrink_refused',
      message: `this sync would remove ${String(result.plan.removed)} of ${String(activeCount)} trusted devices (${String(pct)} % > ${String(Math.round(threshold * 100))} %)${which}; check the export, or pass --force`,
    };
    return;
  }
  if (req.dryRun === 'plan') {
    result.outcome = 'planned';
    result.device_count = activeCount;
    return;
  }

  // 3. A pending cache of our own.
  const pending = await createPending(req, deps, result);
  await deps.repo.rememberPending(req.orgId, req.integrationId, pending, ctx.runId);
  try {
    let count = 0;
    for (let from = 0; from < total; from += BATCH_SIZE) {
      const batch = req.ids.slice(from, from + BATCH_SIZE);
      count = await addWithRetry(api, pending, batch, from, deps, ctx);
      result.uploaded = from + batch.length;
      await ctx.progress({ phase: 'uploading', done: result.uploaded, total });
    }
    // 4. Verify: Duo's count of the pending cache must be exactly what we sent.
    await ctx.progress({ phase: 'verifying', done: total, total });
    const verified = (await api.getCache(pending)).device_count;
    result.device_count = verified;
    if (verified !== total || count !== total)
      throw new DevicesError(
        'device_count_mismatch',
        `Duo counts ${String(verified)} devices in the pending cache but ${String(total)} were sent: not activating`,
      );
    if (req.dryRun === 'upload') {
      await api.deleteCache(pending);
      await deps.repo.forgetPending(pending);
      result.outcome = 'planned';
      notes(
        result,
        `dry run: uploaded ${String(total)} identifiers to pending cache ${pending}, verified, then deleted it`,
      );
      return;
    }
    // 5. Activate (Duo replaces the active cache) and confirm.
    await ctx.progress({ phase: 'activating', done: total, total });
    await api.activate(pending);
    await deps.repo.forgetPending(pending);
    result.activated = true;
    const now = (await api.listCaches('active'))[0];
    if (now?.cache_key !== pending || now.device_count !== total)
      throw new DevicesError(
        'activation_unconfirmed',
        `after activation Duo's active cache is ${now === undefined ? 'missing' : `${now.cache_key} with ${String(now.device_count)} devices`}, not ${pending} with ${String(total)}`,
      );
    result.device_count = now.device_count;
    result.outcome = 'synced';
  } catch (error) {
    if (!result.activated) {
      await ctx.progress({ phase: 'cleaning', done: result.uploaded, total });
      try {
        await api.deleteCache(pending);
        await deps.repo.forgetPending(pending);
        notes(result, `deleted the pending cache ${pending}; the active cache was not touched`);
      } catch (cleanup) {
        notes(
          result,
          `could not delete the pending cache ${pending} (${describe(cleanup).message}); duowatch will delete it on the next sync`,
        );
      }
    }
    throw error;
  }
}

function notes(result: SyncResult, line: string): void {
  result.notes.push(line);
}

/** The active cache's identifiers, or null when Duo will not list them (then the plan uses counts). */
async function readAll(api: DeviceApi, key: string, expected: number, ctx: Ctx): Promise<string[] | null> {
  const ids: string[] = [];
  let offset: number | null = 0;
  // Bounded: a cache never holds more pages than its count says (plus one), whatever the server answers.
  for (let page = 0; offset !== null && page <= Math.ceil(expected / 100) + 1; page++) {
    let got: { ids: string[]; next: number | null };
    try {
      got = await api.readDevices(key, offset);
    } catch (error) {
      if (error instanceof DuoApiError && (error.kind === 'invalid_request' || error.kind === 'not_found'))
        return null;
      throw error;
    }
    ids.push(...got.ids);
    offset = got.next;
    await ctx.progress({ phase: 'reading', done: ids.length, total: expected });
  }
  // A listing that does not add up to the count cannot be trusted for a diff.
  return ids.length === expected ? ids : null;
}

export function planOf(
  ids: readonly string[],
  activeIds: readonly string[] | null,
  activeCount: number,
): SyncPlan {
  if (activeIds === null) {
    const unchanged = Math.min(activeCount, ids.length);
    return {
      active: activeCount,
      added: Math.max(0, ids.length - activeCount),
      removed: Math.max(0, activeCount - ids.length),
      unchanged,
      exact: false,
    };
  }
  const current = new Set(activeIds.map((i) => i.toLowerCase()));
  let unchanged = 0;
  for (const id of ids) if (current.has(id.toLowerCase())) unchanged++;
  return {
    active: activeCount,
    added: ids.length - unchanged,
    removed: current.size - unchanged,
    unchanged,
    exact: true,
  };
}

function removedOf(ids: readonly string[], activeIds: readonly string[] | null): string[] {
  if (activeIds === null) return [];
  const next = new Set(ids.map((i) => i.toLowerCase()));
  return activeIds.filter((i) => !next.has(i.toLowerCase()));
}

async function createPending(req: SyncRequest, deps: SyncDeps, result: SyncResult): Promise<string> {
  try {
    return (await deps.api.createCache()).cache_key;
  } catch (error) {
    if (!(error instanceof DuoApiError) || error.httpStatus !== 409) throw error;
  }
  // Duo allows one pending cache per integration: find out whose it is.
  const pending = await deps.api.listCaches('pending');
  for (const p of pending) {
    const ours = await deps.repo.isOwnPending(req.integrationId, p.cache_key);
    if (!ours && req.deleteForeignPending !== true)
      throw new DevicesError(
        'pending_cache_exists',
        `Duo answered 409: a pending cache ${p.cache_key} (${String(p.device_count)} devices) already exists for this integration and duowatch did not create it — another uploader may be running. Wait for it to finish, or delete it with --delete-pending`,
        { status: 409 },
      );
    await deps.api.deleteCache(p.cache_key);
    await deps.repo.forgetPending(p.cache_key);
    notes(
      result,
      `deleted ${ours ? 'a stale pending cache duowatch had left' : 'a foreign pending cache, as asked'}: ${p.cache_key}`,
    );
  }
  return (await deps.api.createCache()).cache_key;
}

async function addWithRetry(
  api: DeviceApi,
  key: string,
  batch: readonly string[],
  from: number,
  deps: SyncDeps,
  ctx: Ctx,
): Promise<number> {
  const delays = deps.batchRetryDelaysMs ?? [1000, 2000, 4000];
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.addDevices(key, batch);
    } catch (error) {
      // Adding an identifier twice changes nothing on Duo, so a batch is safe to resend.
      const retryable =
        error instanceof DuoApiError &&
        (error.kind === 'rate_limited' ||
          error.kind === 'server_error' ||
          error.kind === 'network' ||
          error.kind === 'timeout');
      const delay = delays[attempt];
      if (!retryable || delay === undefined) {
        const d = describe(error);
        throw new DevicesError(
          d.code,
          `batch ${String(from / BATCH_SIZE + 1)} (identifiers ${String(from + 1)}–${String(from + batch.length)}) failed: ${d.message}`,
          { cause: error },
        );
      }
      await ctx.sleep(delay);
    }
  }
}

/** Duo's code, message and detail survive into the result (Duo's script loses the detail). */
export function describe(error: unknown): SyncError {
  if (error instanceof DuoApiError) {
    const parts = [
      error.duoCode === undefined
        ? `HTTP ${String(error.httpStatus ?? '?')}`
        : `Duo ${String(error.duoCode)}`,
      error.duoMessage,
      error.detail,
    ].filter((p): p is string => p !== undefined && p !== '');
    return {
      code: `duo_${error.kind}`,
      message: stripControl(parts.join(': ')),
      ...(error.duoCode === undefined ? {} : { duoCode: error.duoCode }),
      ...(error.detail === undefined ? {} : { duoDetail: stripControl(error.detail) }),
      ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
    };
  }
  if (error instanceof DevicesError) {
    const cause = error.cause instanceof DuoApiError ? describe(error.cause) : undefined;
    return { ...cause, code: error.code, message: stripControl(error.message) };
  }
  return { code: 'internal', message: stripControl(error instanceof Error ? error.message : String(error)) };
}
