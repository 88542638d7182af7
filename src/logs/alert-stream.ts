import type { AlertChange, AlertOutbox } from '../alerts/index.js';
import type { StreamCheckpoint } from './checkpoint.js';
import type { CheckpointRepository, StreamKey, StreamRecord } from './checkpoint.repository.js';
import {
  backoffMs,
  describeFailure,
  ownerIsDeadHere,
  type StreamOutcome,
  type StreamReport,
} from './collect-org.js';
import type { DeliveryLock } from './delivery-lock.js';
import type { AlertEvent, LogSink } from './sinks/index.js';

/** What delivering one organization's alert changes needs; everything injected (docs/conventions.md §3). */
export interface AlertStreamDeps {
  readonly repo: CheckpointRepository;
  readonly outbox: AlertOutbox;
  /** The sinks of the organization's routes that carry `alerts`, each filtered by its routes' `where`. */
  readonly sinks: readonly LogSink[];
  readonly lock: DeliveryLock;
  readonly now: () => number;
  /** This process's lease owner id (`host:pid:nonce`, collect-org.ts). */
  readonly owner: string;
  readonly random?: () => number;
}

export interface AlertStreamOptions {
  /** Where a stream without a checkpoint starts: the first change at or after this time (epoch ms). */
  readonly firstFrom: number;
  readonly respectBackoff: boolean;
  readonly signal?: AbortSignal;
  readonly leaseTtlMs?: number;
  /** Changes per batch (one send per sink, one commit). */
  readonly batchSize?: number;
}

/** The key of an organization's `alerts` stream: no credential, no tenant. */
export function alertStreamKey(orgId: string): StreamKey {
  return { orgId, integrationId: '', accountId: '', stream: 'alerts' };
}

/**
 * One alert change as the sinks carry it: the alert as it was right after the change, plus the change. The id
 * is the outbox row's (`alert-<alert id>-<seq>`), so a batch sent again after a crash is the same documents and
 * an exactly-once sink keeps each once.
 */
export function alertChangeEvent(change: AlertChange, orgSlug: string): AlertEvent {
  return {
    id: `alert-${change.alertId}-${String(change.seq)}`,
    stream: 'alerts',
    orgId: change.orgId,
    orgSlug,
    ts: change.at.getTime(),
    raw: {
      ...change.alert,
      change: {
        seq: change.seq,
        action: change.action,
        at: change.at.toISOString(),
        by: change.by,
        note: change.note,
      },
    },
  };
}

/**
 * Delivers an organization's alert changes after its checkpoint, exactly like a Duo stream: the process holding
 * the stream's lease sends each batch to every sink of the organization's `alerts` routes, and only when all
 * acknowledged commits the outbox sequence with the exactly-once sinks' positions in one transaction. A sink
 * that refuses (or a spill queue that is full) rewinds the exactly-once sinks and backs the stream off; the
 * same changes go again at the next attempt. Never throws for a delivery failure; the report says what happened.
 */
export async function deliverAlerts(
  deps: AlertStreamDeps,
  org: { readonly id: string; readonly slug: string },
  opts: AlertStreamOptions,
): Promise<StreamReport> {
  const key = alertStreamKey(org.id);
  const random = deps.random ?? Math.random;
  const ttl = opts.leaseTtlMs ?? 120_000;
  const batchSize = opts.batchSize ?? 500;
  let record = await deps.repo.get(key);
  if (record === undefined) {
    // A new stream starts with the changes since the first-run lookback, like a Duo stream's first window.
    const seq = await deps.outbox.seqBefore(org.id, new Date(opts.firstFrom));
    record = await deps.repo.ensure(
      key,
      { from: opts.firstFrom, boundary: [], newestTs: null, pending: null, seq },
      deps.now(),
    );
  }
  const report = (
    outcome: StreamOutcome,
    events: number,
    batches: number,
    error: string | null,
    rec: StreamRecord | undefined,
  ): StreamReport => ({
    key,
    outcome,
    result:
      outcome === 'ok'
        ? {
            events,
            pages: batches,
            duplicatesDropped: 0,
            sharedSecondOverflows: 0,
            newestTs: rec?.newestTs ?? null,
          }
        : null,
    error,
    newestTs: rec?.newestTs ?? record.newestTs,
  });
  if (
    opts.respectBackoff &&
    record.status !== 'ok' &&
    record.nextAttemptMs !== null &&
    record.nextAttemptMs > deps.now()
  )
    return report('skipped', 0, 0, record.lastError, record);
  // Nothing after the checkpoint and nothing to clear: a read-only answer (serve sweeps every few seconds).
  if (record.status === 'ok' && (await deps.outbox.read(org.id, record.checkpoint.seq ?? 0, 1)).length === 0)
    return report('ok', 0, 0, null, record);
  let leased = await deps.repo.acquireLease(key, deps.owner, ttl, deps.now());
  if (!leased && ownerIsDeadHere(record.leaseOwner)) {
    await deps.repo.releaseLease(key, record.leaseOwner ?? '');
    leased = await deps.repo.acquireLease(key, deps.owner, ttl, deps.now());
  }
  if (!leased) return report('busy', 0, 0, `held by ${record.leaseOwner ?? 'another process'}`, record);
  let events = 0;
  let batches = 0;
  try {
    // Read after taking the lease: the previous holder may have committed since `record` was read.
    let cp: StreamCheckpoint = (await deps.repo.get(key))?.checkpoint ?? record.checkpoint;
    for (;;) {
      opts.signal?.throwIfAborted();
      const changes = await deps.outbox.read(org.id, cp.seq ?? 0, batchSize);
      if (changes.length === 0 && batches > 0) break;
      const batch = changes.map((c) => alertChangeEvent(c, org.slug));
      const last = changes[changes.length - 1];
      const next: StreamCheckpoint =
        last === undefined
          ? cp
          : {
              ...cp,
              seq: last.seq,
              newestTs: last.at.getTime(),
              from: Math.max(cp.from, last.at.getTime()),
            };
      await deps.lock.run(async () => {
        try {
          if (batch.length > 0)
            for (const sink of deps.sinks)
              await sink.send(batch, opts.signal ?? AbortSignal.timeout(5 * 60_000));
          const positions: Record<string, string> = {};
          for (const sink of deps.sinks) if (sink.position) positions[sink.name] = await sink.position();
          // With nothing new this still records the poll (and clears an earlier failure).
          await deps.repo.commit(key, next, batch.length, positions, deps.now());
        } catch (error) {
          // What an exactly-once sink wrote of this batch is not committed: rewind it, so the retry adds no copy.
          for (const sink of deps.sinks)
            if (sink.restore) await sink.restore(await deps.repo.sinkPosition(sink.name));
          throw error;
        }
      });
      cp = next;
      events += batch.length;
      batches += 1;
      await deps.repo.acquireLease(key, deps.owner, ttl, deps.now());
      if (changes.length < batchSize) break;
    }
    return report('ok', events, batches, null, await deps.repo.get(key));
  } catch (error) {
    if (opts.signal?.aborted === true) throw error;
    const { text } = describeFailure(error);
    const failures = (await deps.repo.get(key))?.failures ?? 0;
    await deps.repo.recordFailure(key, 'backoff', text, deps.now() + backoffMs(failures, random), deps.now());
    return report('backoff', events, batches, text, await deps.repo.get(key));
  } finally {
    await deps.repo.releaseLease(key, deps.owner);
  }
}
