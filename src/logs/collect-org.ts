import { hostname } from 'node:os';
import type { LogEventHub } from '../app/index.js';
import { DuoApiError, type DuoClient } from '../duo/index.js';
import { stripControl } from '../shared/index.js';
import type { Store } from '../store/index.js';
import type { CheckpointRepository, DuoStreamKey, StreamKey, StreamRecord } from './checkpoint.repository.js';
import { collectStream, type StreamRunResult } from './collect-stream.js';
import type { DeliveryLock } from './delivery-lock.js';
import type { LogSink } from './sinks/types.js';
import type { LogStream } from './streams.js';

export interface CollectorDeps {
  store: Pick<Store, 'integrations'>;
  repo: CheckpointRepository;
  /** A Duo client for a stored integration (with this collector's log budget applied). */
  clientFor(orgId: string, integrationId: string): Promise<DuoClient>;
  sinks: readonly LogSink[];
  /** Per-stream sinks (configured routes); when absent every stream goes to `sinks`. */
  sinksFor?: (stream: LogStream, key: StreamKey) => readonly LogSink[];
  lock: DeliveryLock;
  hub?: LogEventHub;
  now: () => number;
  /** An Accounts integration's child accounts; default: asked of the Accounts API on every call. */
  childrenOf?: (
    integrationId: string,
    parent: DuoClient,
    signal?: AbortSignal,
  ) => Promise<ReadonlyArray<{ account_id: string; api_hostname: string }>>;
  /** This process's lease owner id: `host:pid:nonce`. */
  owner: string;
  random?: () => number;
}

export interface CollectOptions {
  streams: readonly LogStream[];
  /** Where a stream without a checkpoint starts (epoch ms). */
  firstFrom: number;
  signal?: AbortSignal;
  /** Skip streams whose back-off has not run out (the daemon); `logs once` tries every stream. */
  respectBackoff?: boolean;
  leaseTtlMs?: number;
  maxPages?: number;
  pageSize?: number;
  /** Only these integrations of the organization (a scheduler job is one per credential). */
  integrationIds?: readonly string[];
  /** MSP child accounts read through an Accounts integration: only these / never these account ids. */
  includeAccounts?: readonly string[];
  excludeAccounts?: readonly string[];
  onPage?: (key: StreamKey, delivered: number) => void;
}

export type StreamOutcome =
  | 'ok'
  | 'backoff' // a transient failure; retried after the back-off
  | 'needs_grant' // 40301: the Admin API application lacks "Grant read log"
  | 'busy' // another process holds the stream's lease
  | 'skipped'; // still backing off from an earlier failure

export interface StreamReport {
  key: StreamKey;
  outcome: StreamOutcome;
  result: StreamRunResult | null;
  error: string | null;
  /** From the stored checkpoint after the run. */
  newestTs: number | null;
}

export function processOwner(random: () => number = Math.random): string {
  return `${hostname()}:${String(process.pid)}:${Math.floor(random() * 1e9).toString(36)}`;
}

/** A lease whose owner was a process on this host that no longer exists can be taken at once. */
export function ownerIsDeadHere(owner: string | null): boolean {
  if (owner === null) return false;
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 30 * 60_000;

/** 30 s, 1 min, 2 min … capped at 30 min, with up to 20 % jitter so streams do not retry in step. */
export function backoffMs(failures: number, random: () => number): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures));
  return Math.round(base * (1 + 0.2 * random()));
}

export function describeFailure(error: unknown): { outcome: 'backoff' | 'needs_grant'; text: string } {
  if (error instanceof DuoApiError && error.kind === 'permission_denied')
    return {
      outcome: 'needs_grant',
      text:
        'Duo answered 40301 (access forbidden): give the Admin API application the "Grant read log" ' +
        'permission in the Duo Admin Panel (Applications → the Admin API application → Permissions), then save',
    };
  const text = error instanceof Error ? error.message : String(error);
  const code =
    error instanceof DuoApiError && error.duoCode !== undefined ? ` [${String(error.duoCode)}]` : '';
  return { outcome: 'backoff', text: stripControl(text).slice(0, 500) + code };
}

interface Target {
  integrationId: string;
  accountId: string;
  client: DuoClient;
}

async function targetsOf(deps: CollectorDeps, orgId: string, opts: CollectOptions): Promise<Target[]> {
  const out: Target[] = [];
  for (const integration of await deps.store.integrations.list(orgId)) {
    if (opts.integrationIds !== undefined && !opts.integrationIds.includes(integration.id)) continue;
    if (integration.kind === 'admin') {
      out.push({
        integrationId: integration.id,
        accountId: '',
        client: await deps.clientFor(orgId, integration.id),
      });
    } else if (integration.kind === 'accounts') {
      // An MSP: each child tenant is read with the Accounts keys on the child's API host, `account_id` added.
      const parent = await deps.clientFor(orgId, integration.id);
      const children =
        deps.childrenOf === undefined
          ? await parent.accounts.list(opts.signal === undefined ? {} : { signal: opts.signal })
          : await deps.childrenOf(integration.id, parent, opts.signal);
      for (const child of children) {
        if (
          opts.includeAccounts !== undefined &&
          opts.includeAccounts.length > 0 &&
          !opts.includeAccounts.includes(child.account_id)
        )
          continue;
        if (opts.excludeAccounts?.includes(child.account_id) === true) continue;
        out.push({
          integrationId: integration.id,
          accountId: child.account_id,
          client: parent.forChildAccount(child),
        });
      }
    }
  }
  return out;
}

/**
 * Collects every selected stream of every Admin integration (and MSP child) of one organization, each stream
 * on its own: a failure backs that stream off (or marks it `needs_grant`) and the others go on. Never throws
 * for a stream's failure; the reports say what happened.
 */
export async function collectOrg(
  deps: CollectorDeps,
  org: { id: string; slug: string },
  opts: CollectOptions,
): Promise<StreamReport[]> {
  const random = deps.random ?? Math.random;
  const targets = await targetsOf(deps, org.id, opts);
  const ttl = opts.leaseTtlMs ?? 120_000;
  const jobs = targets.flatMap((t) =>
    opts.streams.map(async (stream): Promise<StreamReport> => {
      const key: DuoStreamKey = {
        orgId: org.id,
        integrationId: t.integrationId,
        accountId: t.accountId,
        stream,
      };
      const record = await deps.repo.ensure(
        key,
        { from: opts.firstFrom, boundary: [], newestTs: null, pending: null },
        deps.now(),
      );
      const report = (
        outcome: StreamOutcome,
        result: StreamRunResult | null,
        error: string | null,
        rec: StreamRecord | undefined,
      ): StreamReport => ({
        key,
        outcome,
        result,
        error,
        newestTs: rec?.newestTs ?? record.newestTs,
      });
      if (
        opts.respectBackoff === true &&
        record.status !== 'ok' &&
        record.nextAttemptMs !== null &&
        record.nextAttemptMs > deps.now()
      )
        return report('skipped', null, record.lastError, record);
      let leased = await deps.repo.acquireLease(key, deps.owner, ttl, deps.now());
      if (!leased && ownerIsDeadHere(record.leaseOwner)) {
        await deps.repo.releaseLease(key, record.leaseOwner ?? '');
        leased = await deps.repo.acquireLease(key, deps.owner, ttl, deps.now());
      }
      if (!leased) return report('busy', null, `held by ${record.leaseOwner ?? 'another process'}`, record);
      try {
        const result = await collectStream(
          {
            repo: deps.repo,
            request: (r) => t.client.request(r),
            sinks: deps.sinksFor?.(stream, key) ?? deps.sinks,
            lock: deps.lock,
            now: deps.now,
            ...(deps.hub === undefined ? {} : { hub: deps.hub }),
          },
          key,
          {
            orgSlug: org.slug,
            firstFrom: opts.firstFrom,
            ...(opts.signal === undefined ? {} : { signal: opts.signal }),
            ...(opts.maxPages === undefined ? {} : { maxPages: opts.maxPages }),
            ...(opts.pageSize === undefined ? {} : { pageSize: opts.pageSize }),
            onPage: async ({ delivered }) => {
              opts.onPage?.(key, delivered);
              // Renew the lease with every page, so a long drain keeps its stream.
              await deps.repo.acquireLease(key, deps.owner, ttl, deps.now());
            },
          },
        );
        return report('ok', result, null, await deps.repo.get(key));
      } catch (error) {
        if (opts.signal?.aborted === true) throw error;
        const { outcome, text } = describeFailure(error);
        const failures = (await deps.repo.get(key))?.failures ?? 0;
        await deps.repo.recordFailure(
          key,
          outcome,
          text,
          deps.now() + backoffMs(failures, random),
          deps.now(),
        );
        return report(outcome, null, text, await deps.repo.get(key));
      } finally {
        await deps.repo.releaseLease(key, deps.owner);
      }
    }),
  );
  return Promise.all(jobs);
}
