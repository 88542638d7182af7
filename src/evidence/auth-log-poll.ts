import type { SignalRecord } from '../shared/index.js';
import { AuthLogAccumulator, authLogAggregateSignal } from './auth-log-aggregate.js';
import {
  AUTH_LOG_CAP,
  parseAuthLogCursor,
  planAuthLogWindow,
  type AuthLogCursor,
} from './auth-log-window.js';
import { healthAfterFailure, healthAfterSuccess, shouldSkip } from './credential-health.js';
import { phishingResistantSignal, smsVoiceSignal } from './extended-signals.js';
import type { Clock, CursorKey, EvidenceDuoReader, EvidenceStore } from './ports.js';
import { failureOf, recordsFrom, type EvidenceRunResult } from './run-result.js';

/** Optional store capability: commit the poll's records and its cursor in one transaction. */
export interface AtomicPollCommit {
  commitAuthLogPoll(key: CursorKey, cursor: AuthLogCursor, records: readonly SignalRecord[]): Promise<void>;
}

export interface AuthLogPollInput {
  org: string;
  integration: string;
  reader: EvidenceDuoReader;
  store: EvidenceStore & Partial<AtomicPollCommit>;
  clock?: Clock;
  signal?: AbortSignal;
  ignoreBackoff?: boolean;
  /** How long an auth failure backs the credential off (`schedules.authFailedBackoffHours`; default 24 h). */
  authFailedBackoffMs?: number;
  caps?: { maxPages: number; pageSize: number };
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * The hourly auth-log poll (`30 * * * *`). Plans the window from the persisted cursor, drains
 * `/admin/v2/logs/authentication` within 25 pages × 1,000, aggregates in memory (events are dropped page by
 * page), then stores only the aggregate and the next cursor. A failed poll stores nothing and leaves the
 * cursor where it was, so the next poll starts five minutes before the last *successful* one.
 */
export async function runAuthLogPoll(input: AuthLogPollInput): Promise<EvidenceRunResult> {
  const clock = input.clock ?? systemClock;
  const startedAt = clock.now();
  const base = { org: input.org, integration: input.integration, signals: [], extended: [] };
  const prev = await input.store.getCredentialHealth(input.org, input.integration);
  if (input.ignoreBackoff !== true && shouldSkip(prev, startedAt)) {
    return { ...base, outcome: 'skipped', error: null, health: prev };
  }
  const key: CursorKey = { org: input.org, integration: input.integration, stream: 'auth_log' };
  const cursor = parseAuthLogCursor(await input.store.getCursor(key));
  const window = planAuthLogWindow(cursor, startedAt);
  const caps = input.caps ?? AUTH_LOG_CAP;
  const acc = new AuthLogAccumulator(window);
  let truncated = false;
  let pages = 0;
  let rateLimitedAfterPages = false;
  if (!window.empty) {
    try {
      const iter = input.reader.authLogs({
        mintimeMs: window.mintimeMs,
        maxtimeMs: window.maxtimeMs,
        sort: 'ts:asc',
        maxPages: caps.maxPages,
        pageSize: caps.pageSize,
        ...(input.signal === undefined ? {} : { signal: input.signal }),
      });
      for await (const page of iter) {
        input.signal?.throwIfAborted();
        if (pages >= caps.maxPages) {
          truncated = true;
          break;
        }
        pages++;
        acc.add(page.items);
        if (page.truncated === true) {
          truncated = true;
          break;
        }
      }
    } catch (error) {
      if (input.signal?.aborted === true) throw error;
      const failure = failureOf('authLogs', error);
      if (failure.class === 'rate_limited' && pages > 0) {
        // The endpoint allows about one call a minute (seed, Troubleshooting). Pages already read are kept
        // as a truncated poll; the cursor resumes after the last event read instead of re-reading them.
        truncated = true;
        rateLimitedAfterPages = true;
      } else {
        const health = healthAfterFailure(prev, error, clock.now(), input.authFailedBackoffMs);
        await input.store.setCredentialHealth(input.org, input.integration, health);
        return { ...base, outcome: 'failed', error: failure.summary, health };
      }
    }
  }
  const now = clock.now();
  const { aggregate, cursor: next } = acc.finish(startedAt, truncated);
  const opts = { now, truncated };
  const core = [authLogAggregateSignal(aggregate, opts)];
  if (window.basis === 'stale_reset') {
    core[0]?.notes.push('The cursor was more than 30 days stale: reset to the 24-hour look-back.');
  }
  if (rateLimitedAfterPages) {
    core[0]?.notes.push(
      `Duo answered 429 after ${String(pages)} page(s): the rest is read on the next poll.`,
    );
  }
  const extended = [phishingResistantSignal(aggregate, opts), smsVoiceSignal(aggregate, opts)];
  const records = recordsFrom([...core, ...extended], input, startedAt, now);
  if (input.store.commitAuthLogPoll !== undefined) {
    await input.store.commitAuthLogPoll(key, next, records);
  } else {
    // Without a transaction, the cursor goes first: a crash in between loses one poll's counts rather than
    // counting its events twice on the next poll (the specification's rule is "never twice").
    await input.store.setCursor(key, next);
    for (const rec of records) await input.store.saveRecord(rec);
  }
  const health = rateLimitedAfterPages
    ? healthAfterFailure(prev, { kind: 'rate_limited' }, now)
    : healthAfterSuccess(prev, now);
  await input.store.setCredentialHealth(input.org, input.integration, health);
  return {
    ...base,
    outcome: rateLimitedAfterPages ? 'partial' : 'ok',
    signals: core,
    extended,
    error: null,
    health,
  };
}
