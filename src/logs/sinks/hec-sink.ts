import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { SinkEvent } from './types.js';
import { formatEvent } from './format.js';
import type { HttpAnswer, HttpPoster } from './http-post.js';
import type { LogFormat, LogSink, SinkStats } from './types.js';
import { SinkError } from './types.js';

const gzip = promisify(gzipCb);

export interface HecSinkOptions {
  readonly name: string;
  /** Base URL (`https://splunk.example:8088`); the collector paths are added. */
  readonly url: string;
  readonly token: string;
  readonly format: LogFormat;
  readonly index?: string;
  readonly sourcetype: string;
  readonly source: string;
  readonly host?: string;
  readonly gzip: boolean;
  readonly ack: { readonly enabled: boolean; readonly pollMs: number; readonly timeoutMs: number };
  readonly http: HttpPoster;
  readonly channel?: string;
  readonly clock?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

interface HecReply {
  readonly text?: string;
  readonly code?: number;
  readonly ackId?: number;
  readonly acks?: Record<string, boolean>;
}

function parse(answer: HttpAnswer): HecReply {
  try {
    const v = JSON.parse(answer.text) as unknown;
    return typeof v === 'object' && v !== null ? v : {};
  } catch {
    return {};
  }
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Splunk HTTP Event Collector (docs/log-sinks.md, "Splunk HEC"): one request per batch, events as
 * concatenated JSON objects with `time`, `host`, `source`, `sourcetype`, `index`, the event, and our id in
 * `fields.duowatch_id`; gzip when enabled. With indexer acknowledgement the batch is delivered only once
 * `/services/collector/ack` says its `ackId` is indexed; otherwise a `{"code":0}` answer is the ack.
 * At-least-once: a batch whose ack never came is sent again, and the id lets a search drop the copy.
 */
export function createHecSink(o: HecSinkOptions): LogSink {
  const channel = o.channel ?? randomUUID();
  const clock = o.clock ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  const base = o.url.replace(/\/+$/, '');
  const stats = { sent: 0, requests: 0, ackWaits: 0 };
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    authorization: `Splunk ${o.token}`,
    'content-type': 'application/json',
    ...(o.ack.enabled ? { 'x-splunk-request-channel': channel } : {}),
    ...extra,
  });

  function fail(answer: HttpAnswer, what: string): SinkError {
    const reply = parse(answer);
    const detail = `${what}: HTTP ${answer.status}${reply.code === undefined ? '' : ` code ${reply.code}`}${reply.text ? ` (${reply.text})` : ''}`;
    if (answer.status === 401 || answer.status === 403) return new SinkError('sink.config', o.name, detail);
    // 400 with code 6 ("Invalid data format") and friends will not succeed if sent again as is.
    if (answer.status === 400 && reply.code !== 10 && reply.code !== 11) {
      return new SinkError('sink.rejected', o.name, detail);
    }
    return new SinkError('sink.unavailable', o.name, detail);
  }

  function body(batch: readonly SinkEvent[]): string {
    let text = '';
    for (const e of batch) {
      text +=
        JSON.stringify({
          time: e.ts / 1000,
          ...(o.host === undefined ? {} : { host: o.host }),
          source: o.source,
          sourcetype: o.sourcetype,
          ...(o.index === undefined ? {} : { index: o.index }),
          event: formatEvent(e, o.format),
          fields: { duowatch_id: e.id, duo_log: e.stream, duo_org: e.orgSlug },
        }) + '\n';
    }
    return text;
  }

  async function waitForAck(ackId: number, signal: AbortSignal): Promise<void> {
    const deadline = clock() + o.ack.timeoutMs;
    stats.ackWaits += 1;
    for (;;) {
      const answer = await o.http.post(
        `${base}/services/collector/ack?channel=${encodeURIComponent(channel)}`,
        headers(),
        JSON.stringify({ acks: [ackId] }),
        signal,
      );
      if (answer.status !== 200) throw fail(answer, 'ack query failed');
      if (parse(answer).acks?.[String(ackId)] === true) return;
      if (clock() >= deadline) {
        throw new SinkError(
          'sink.unavailable',
          o.name,
          `ackId ${ackId} not indexed within ${o.ack.timeoutMs} ms: the batch will be sent again`,
        );
      }
      await sleep(o.ack.pollMs, signal);
    }
  }

  return {
    name: o.name,
    guarantee: 'at_least_once',
    async send(batch, signal): Promise<void> {
      if (batch.length === 0) return;
      const text = body(batch);
      const payload = o.gzip ? await gzip(Buffer.from(text, 'utf8')) : text;
      stats.requests += 1;
      const answer = await o.http.post(
        `${base}/services/collector/event`,
        headers(o.gzip ? { 'content-encoding': 'gzip' } : {}),
        payload,
        signal,
      );
      const reply = parse(answer);
      if (answer.status !== 200 || reply.code !== 0) throw fail(answer, 'events refused');
      if (o.ack.enabled) {
        if (typeof reply.ackId !== 'number') {
          throw new SinkError(
            'sink.config',
            o.name,
            'indexer acknowledgement is on here but the token does not have it (no ackId in the answer)',
          );
        }
        await waitForAck(reply.ackId, signal);
      }
      stats.sent += batch.length;
    },
    stats(): SinkStats {
      return { ...stats };
    },
    close: () => o.http.close(),
  };
}
