import type { CollectedEvent } from '../../app/index.js';

/**
 * One change of a duowatch alert on its way to the sinks (the `alerts` pseudo-stream): `raw` is the alert as
 * JSON with the change (`change: {seq, action, at, by, note}`); `id` is `alert-<alert id>-<outbox seq>`,
 * `ts` the change's time. Plain JSON throughout, so it survives a spill queue unchanged.
 */
export interface AlertEvent {
  readonly id: string;
  readonly stream: 'alerts';
  readonly orgId: string;
  readonly orgSlug: string;
  readonly ts: number;
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * What the inventory snapshots say about an event's user and host (src/logs/enrich.ts); only the ECS format
 * writes it, raw lines stay Duo's object unchanged.
 */
export interface Enrichment {
  readonly user?: {
    readonly email?: string;
    readonly fullName?: string;
    readonly groups?: readonly string[];
  };
  readonly host?: {
    readonly name?: string;
    readonly type?: string;
    readonly osFamily?: string;
    readonly osVersion?: string;
  };
}

/** What a sink delivers: a collected Duo event (maybe enriched), or a duowatch alert. */
export type SinkEvent = (CollectedEvent & { readonly enrichment?: Enrichment }) | AlertEvent;
import { DuowatchError } from '../../shared/index.js';

/** How an event is written: Duo's object plus `duowatch: {id, stream, org}`, or ECS with `event.id`. */
export type LogFormat = 'raw' | 'ecs';

/**
 * What the pipeline may rely on when it commits a checkpoint. `exactly_once`: a replayed batch leaves no
 * duplicate (the file sink rewinds to its stored position; Elasticsearch `create` by `_id` answers 409).
 * `at_least_once`: the last unacknowledged batch may be delivered again (syslog, HEC, webhook).
 */
export type DeliveryGuarantee = 'exactly_once' | 'at_least_once';

/**
 * One destination. The collector commits a stream's checkpoint only after `send` resolved for every sink on
 * the route, so `send` must not resolve before the receiver acknowledged the whole batch as far as its
 * protocol can tell (TCP write flushed, HTTP 2xx with no failed item, HEC ack, file fsync'd).
 */
export interface LogSink {
  readonly name: string;
  readonly guarantee: DeliveryGuarantee;
  send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void>;
  /**
   * Exactly-once sinks with local state: a position to store atomically with the checkpoint. It covers every
   * batch sent so far, whichever stream sent it, so the caller keeps `send` → `position` → commit in one
   * critical section per sink (two streams committing positions out of order would cut each other's events).
   */
  position?(): Promise<string>;
  /**
   * On start, before the first send: go back to the position stored with the last committed checkpoint.
   * `null` (nothing committed yet) keeps what is there; the caller should then store `position()` before its
   * first send, so a crash before the first commit is cut too.
   */
  restore?(position: string | null): Promise<void>;
  /** Counters for metrics and `logs status` (e.g. `sent`, `truncated`, `deadLettered`); all monotonic. */
  stats?(): SinkStats;
  close(): Promise<void>;
}

export type SinkStats = Readonly<Record<string, number>>;

export type SinkErrorCode =
  | 'sink.unavailable' // connection refused, reset, timeout, 5xx: retry with back-off
  | 'sink.rejected' // the receiver refused the data itself (4xx, mapping error): not retried as is
  | 'sink.config' // the sink cannot work as configured (bad CA, missing token)
  | 'sink.locked'; // another live process holds this file sink or spill queue (src/logs/sinks/path-lock.ts)

export class SinkError extends DuowatchError {
  readonly sink: string;
  readonly retryable: boolean;
  constructor(code: SinkErrorCode, sink: string, message: string, options: { cause?: unknown } = {}) {
    super(code, `${sink}: ${message}`, { status: 502, ...options });
    this.sink = sink;
    this.retryable = code === 'sink.unavailable';
  }
}
