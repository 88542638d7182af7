import type { AlertOutbox } from '../alerts/index.js';
import type { CheckpointRepository, StreamRecord } from './checkpoint.repository.js';

/** What pruning the alert outbox reads and deletes; everything injected (docs/conventions.md §3). */
export interface OutboxPruneDeps {
  readonly outbox: AlertOutbox;
  readonly repo: CheckpointRepository;
  readonly now: () => number;
}

export interface OutboxPruneOptions {
  /** Changes younger than this are kept whatever their delivery (`alerts.outboxRetentionDays`). */
  readonly retentionMs: number;
  /** The organizations this process's `logs.routes` deliver alerts for: their changes wait for their stream. */
  readonly routedOrgIds: ReadonlySet<string>;
  /** Rows per delete statement. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

export interface OutboxPruneResult {
  readonly deleted: number;
  /** Delete statements run (each at most `batchSize` rows). */
  readonly batches: number;
  /** Organizations whose older changes waited for their `alerts` stream (pruned only as far as it delivered). */
  readonly waiting: number;
}

/**
 * How far an organization's changes may go, or null when only their age counts. They wait for the
 * organization's `alerts` stream when this configuration routes its alerts, or when some process (a `logs run`
 * with a configuration of its own) wrote the stream's checkpoint within the retention — a delivery or a failed
 * attempt, which a live deliverer makes at least every 36 minutes (the back-off's cap) while changes wait. Then only what the
 * checkpoint is past goes: a dead SIEM loses nothing. An organization nobody delivers alerts for (no route
 * here, no stream, or one untouched for the whole retention) has no reader: its changes go by age alone.
 */
function deliveredThrough(stream: StreamRecord | undefined, routed: boolean, before: number): number | null {
  const reading = routed || (stream !== undefined && stream.updatedMs >= before);
  if (!reading) return null;
  // A routed organization without a stream yet has had nothing delivered: every change waits for it.
  return stream?.checkpoint.seq ?? 0;
}

/**
 * Deletes the alert outbox's changes older than the retention that no reader still needs, in batches of
 * `batchSize` rows per statement (so a long backlog never holds one long transaction). `serve` runs it hourly
 * (the `alert-outbox-prune` job, src/logs/start.ts).
 */
export async function pruneAlertOutbox(
  deps: OutboxPruneDeps,
  opts: OutboxPruneOptions,
): Promise<OutboxPruneResult> {
  const batchSize = opts.batchSize ?? 1000;
  const before = deps.now() - opts.retentionMs;
  const streams = new Map(
    (await deps.repo.list()).filter((r) => r.key.stream === 'alerts').map((r) => [r.key.orgId, r]),
  );
  let deleted = 0;
  let batches = 0;
  let waiting = 0;
  for (const orgId of await deps.outbox.orgsWithChangesBefore(new Date(before))) {
    const through = deliveredThrough(streams.get(orgId), opts.routedOrgIds.has(orgId), before);
    if (through !== null) waiting += 1;
    for (;;) {
      opts.signal?.throwIfAborted();
      const n = await deps.outbox.prune(orgId, new Date(before), through, batchSize);
      batches += 1;
      deleted += n;
      if (n < batchSize) break;
    }
  }
  return { deleted, batches, waiting };
}
