import { hash } from 'node:crypto';
import type { LogStream } from '../app/index.js';
import { LogsError } from './errors.js';

export type { LogStream };

/** Every stream, in the order `logs once` collects them when none is named. */
export const LOG_STREAMS: readonly LogStream[] = [
  'auth',
  'admin',
  'telephony',
  'activity',
  'trust_monitor',
  'offline_enrollment',
];

/**
 * How a stream is paged (docs/logs.md, "Cursors"):
 * - `v2_auth`: ms window, cursor `[ts, txid]` sent back as two repeated `next_offset` values;
 * - `v2_items`: ms window, cursor one `"<ts>,<id>"` string in `next_offset`;
 * - `trust`: ms window, cursor `metadata.next_offset` (integer-like) sent back as `offset`;
 * - `v1`: `mintime` in seconds only, a bare array of at most 1000 rows, paged by the next `mintime`.
 */
export type PagingStyle = 'v2_auth' | 'v2_items' | 'trust' | 'v1';

export interface StreamSpec {
  readonly stream: LogStream;
  readonly path: string;
  readonly paging: PagingStyle;
  /** Largest page Duo serves for this endpoint. */
  readonly pageLimit: number;
  /** Where the page's events sit in `response` (v1: the response is the array). */
  readonly itemsKey: string | null;
  /** The fields Elastic's `cisco_duo` fingerprints for this dataset (anchors: "Log shipping"). */
  readonly idFields: readonly string[];
  /** Event time in epoch ms, or null when the event carries none we can read. */
  eventTime(event: Readonly<Record<string, unknown>>): number | null;
}

function isoMs(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function secondsMs(value: unknown): number | null {
  const n = typeof value === 'string' && value !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? Math.floor(n * 1000) : null;
}

function numberMs(value: unknown): number | null {
  const n = typeof value === 'string' && value !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? Math.floor(n) : null;
}

export const STREAM_SPECS: Readonly<Record<LogStream, StreamSpec>> = {
  auth: {
    stream: 'auth',
    path: '/admin/v2/logs/authentication',
    paging: 'v2_auth',
    pageLimit: 1000,
    itemsKey: 'authlogs',
    idFields: ['timestamp', 'txid'],
    // `isotimestamp` carries sub-second precision; `timestamp` is whole seconds.
    eventTime: (e) => isoMs(e['isotimestamp']) ?? secondsMs(e['timestamp']),
  },
  telephony: {
    stream: 'telephony',
    path: '/admin/v2/logs/telephony',
    paging: 'v2_items',
    pageLimit: 1000,
    itemsKey: 'items',
    idFields: ['ts', 'phone', 'telephony_id', 'txid'],
    eventTime: (e) => isoMs(e['ts']),
  },
  activity: {
    stream: 'activity',
    path: '/admin/v2/logs/activity',
    paging: 'v2_items',
    pageLimit: 1000,
    itemsKey: 'items',
    idFields: ['activity_id', 'akey', 'ts'],
    eventTime: (e) => isoMs(e['ts']),
  },
  trust_monitor: {
    stream: 'trust_monitor',
    path: '/admin/v1/trust_monitor/events',
    paging: 'trust',
    pageLimit: 200,
    itemsKey: 'events',
    idFields: ['sekey', 'surfaced_timestamp'],
    eventTime: (e) => numberMs(e['surfaced_timestamp']),
  },
  admin: {
    stream: 'admin',
    path: '/admin/v1/logs/administrator',
    paging: 'v1',
    pageLimit: 1000,
    itemsKey: null,
    idFields: ['timestamp', 'action', 'description', 'object', 'username'],
    eventTime: (e) => secondsMs(e['timestamp']),
  },
  offline_enrollment: {
    stream: 'offline_enrollment',
    path: '/admin/v1/logs/offline_enrollment',
    paging: 'v1',
    pageLimit: 1000,
    itemsKey: null,
    // Elastic names no fingerprint for this dataset; its rows have the administrator log's shape.
    idFields: ['timestamp', 'action', 'description', 'object', 'username'],
    eventTime: (e) => secondsMs(e['timestamp']),
  },
};

/**
 * The deterministic event id: SHA-1 over the stream name and the fingerprinted fields (the same fields as
 * Elastic's `cisco_duo` fingerprints; our own encoding: JSON of the values, objects as Duo sent them), hex.
 * The same event read twice (inclusive cursors, a replay after a crash) gets the same id.
 */
export function eventId(spec: StreamSpec, event: Readonly<Record<string, unknown>>): string {
  const values = spec.idFields.map((f) => event[f] ?? null);
  // One-shot hash of the same bytes (stream, NUL, JSON): no Hash object per event on the collector's hot path.
  return hash('sha1', `${spec.stream}\0${JSON.stringify(values)}`, 'hex');
}

export function parseStreams(text: string | undefined): LogStream[] {
  if (text === undefined || text.trim() === '') return [...LOG_STREAMS];
  const out: LogStream[] = [];
  const bad: string[] = [];
  for (const part of text.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if ((LOG_STREAMS as readonly string[]).includes(name)) {
      if (!out.includes(name as LogStream)) out.push(name as LogStream);
    } else bad.push(name);
  }
  if (bad.length > 0 || out.length === 0)
    throw new LogsError(
      'logs.invalid_streams',
      `unknown stream${bad.length === 1 ? '' : 's'} ${bad.map((b) => JSON.stringify(b)).join(', ')}: choose from ${LOG_STREAMS.join(', ')}`,
    );
  return out;
}
