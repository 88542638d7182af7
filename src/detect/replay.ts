import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CollectedEvent, LogStream } from '../app/index.js';
import { DetectError } from './errors.js';

const STREAMS = new Set<LogStream>([
  'auth',
  'admin',
  'telephony',
  'activity',
  'trust_monitor',
  'offline_enrollment',
]);

/** A Duo time value in ms, or null: ISO-8601 text, or a number (seconds in the v1 logs, ms in Trust Monitor). */
function timeValue(v: unknown): number | null {
  if (typeof v === 'string' && v !== '') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return v > 1e11 ? v : v * 1000;
  return null;
}

/** Event time in ms from a Duo event of any stream (each names it differently; the first usable field wins). */
export function eventTime(stream: LogStream, raw: Record<string, unknown>): number | null {
  // Without a list of candidates per call: this runs for every collected line.
  if (stream === 'trust_monitor') return timeValue(raw['surfaced_timestamp']);
  if (stream === 'activity' || stream === 'telephony')
    return timeValue(raw['ts']) ?? timeValue(raw['isotimestamp']) ?? timeValue(raw['timestamp']);
  return timeValue(raw['isotimestamp']) ?? timeValue(raw['timestamp']);
}

/**
 * One line the log collector wrote: Duo's event plus `"duowatch": {"id","stream","org"}` (org = slug).
 * `orgId` is the slug too: replay has no database to map it, and alerts print the slug.
 */
export function parseCollectedLine(line: string, lineNo: number): CollectedEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new DetectError('detect.bad_line', `line ${lineNo}: not JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DetectError('detect.bad_line', `line ${lineNo}: not a JSON object`);
  const raw = value as Record<string, unknown>;
  const meta = raw['duowatch'] as { id?: unknown; stream?: unknown; org?: unknown } | undefined;
  if (typeof meta !== 'object' || meta === null)
    throw new DetectError(
      'detect.bad_line',
      `line ${lineNo}: no "duowatch" object (is this the collector's output?)`,
    );
  if (typeof meta.id !== 'string' || meta.id === '')
    throw new DetectError('detect.bad_line', `line ${lineNo}: duowatch.id is missing`);
  if (typeof meta.stream !== 'string' || !STREAMS.has(meta.stream as LogStream))
    throw new DetectError(
      'detect.bad_line',
      `line ${lineNo}: duowatch.stream "${String(meta.stream)}" is not a log stream`,
    );
  if (typeof meta.org !== 'string' || meta.org === '')
    throw new DetectError('detect.bad_line', `line ${lineNo}: duowatch.org is missing`);
  // Removed in place rather than copied out with `{ duowatch, ...raw }` (a copy of every event): the collector
  // writes it last, and deleting an object's last property keeps V8's fast shape.
  delete raw['duowatch'];
  const stream = meta.stream as LogStream;
  const ts = eventTime(stream, raw);
  if (ts === null) throw new DetectError('detect.bad_line', `line ${lineNo}: the event has no timestamp`);
  return { id: meta.id, stream, orgId: meta.org, orgSlug: meta.org, ts, raw };
}

/** Reads an NDJSON file in batches (blank lines skipped); `from`/`to` bound the event time (inclusive). */
export async function* readCollectedFile(
  file: string,
  options: { from?: number; to?: number; batchSize?: number } = {},
): AsyncGenerator<CollectedEvent[]> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new DetectError(
      'detect.bad_file',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        cause: error,
      },
    );
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  const size = options.batchSize ?? 1000;
  let batch: CollectedEvent[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    const e = parseCollectedLine(line, n);
    if (options.from !== undefined && e.ts < options.from) continue;
    if (options.to !== undefined && e.ts > options.to) continue;
    batch.push(e);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
