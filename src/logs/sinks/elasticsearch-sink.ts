import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AlertRaiser } from '../../app/index.js';
import type { SinkEvent } from './types.js';
import { ecsDataset, formatEcs } from './format-ecs.js';
import type { HttpPoster } from './http-post.js';
import { redactUrl } from './http-post.js';
import type { LogSink, SinkStats } from './types.js';
import { SinkError } from './types.js';

export interface ElasticsearchSinkOptions {
  readonly name: string;
  /** Base URL of the cluster (`https://es.example:9200`); `/_bulk` is appended. */
  readonly url: string;
  /** Kibana's encoded API key (base64 of `id:key`), or `id:key`, which is encoded here. */
  readonly apiKey: string | null;
  readonly namespace: string;
  readonly deadLetterFile: string;
  readonly http: HttpPoster;
  readonly alerts?: AlertRaiser;
  readonly clock?: () => number;
  /** Attempts for items Elasticsearch answered 429 / 5xx within one send (default 3). */
  readonly itemAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface BulkItemResult {
  readonly status: number;
  readonly error?: { readonly type?: string; readonly reason?: string };
}

/** The data stream an event goes to: `logs-cisco_duo.<dataset>-<namespace>`, as Elastic's integration names them. */
export function dataStreamFor(event: SinkEvent, namespace: string): string {
  // duowatch's own alerts are not Duo's logs: their own data stream.
  if (event.stream === 'alerts') return `logs-duowatch.alert-${namespace}`;
  return `logs-cisco_duo.${ecsDataset(event)}-${namespace}`;
}

function authHeader(apiKey: string): string {
  // Kibana shows the encoded form; an `id:key` pair is encoded as Elasticsearch expects.
  const encoded = apiKey.includes(':') ? Buffer.from(apiKey, 'utf8').toString('base64') : apiKey;
  return `ApiKey ${encoded}`;
}

function parseItems(text: string, expected: number): BulkItemResult[] | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const items = (body as { items?: unknown }).items;
  if (!Array.isArray(items) || items.length !== expected) return null;
  const out: BulkItemResult[] = [];
  for (const item of items) {
    const create = (item as { create?: { status?: unknown; error?: unknown } }).create;
    if (!create || typeof create.status !== 'number') return null;
    const error = create.error as BulkItemResult['error'] | undefined;
    out.push(error === undefined ? { status: create.status } : { status: create.status, error });
  }
  return out;
}

/**
 * Elasticsearch `_bulk` in ECS into data streams (docs/log-sinks.md, "Elasticsearch"). Exactly-once effect by
 * `create` with our event id as `_id`: a replayed batch answers 409 per item, which counts as delivered.
 * Per-item answers decide the rest: 429 / 5xx items are retried (then the batch fails and is sent again);
 * 4xx items (mapping errors) can never succeed, so they go to the dead-letter file with the error, are
 * counted and raise an alert, and the batch counts as delivered — never retried forever, never dropped.
 */
export function createElasticsearchSink(o: ElasticsearchSinkOptions): LogSink {
  const clock = o.clock ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = o.itemAttempts ?? 3;
  const endpoint = `${o.url.replace(/\/+$/, '')}/_bulk`;
  const stats = { created: 0, conflicts: 0, deadLettered: 0, retriedItems: 0 };
  const headers: Record<string, string> = {
    'content-type': 'application/x-ndjson',
    accept: 'application/json',
    ...(o.apiKey === null ? {} : { authorization: authHeader(o.apiKey) }),
  };

  function body(events: readonly SinkEvent[]): string {
    let text = '';
    for (const event of events) {
      const doc = formatEcs(event);
      const stream = doc.data_stream as Record<string, unknown> | undefined;
      // A data stream document names its namespace; it must match the index it is written to.
      doc.data_stream = { ...stream, namespace: o.namespace };
      text += JSON.stringify({ create: { _index: dataStreamFor(event, o.namespace), _id: event.id } }) + '\n';
      text += JSON.stringify(doc) + '\n';
    }
    return text;
  }

  async function deadLetter(rows: Array<{ event: SinkEvent; item: BulkItemResult }>): Promise<void> {
    await mkdir(dirname(o.deadLetterFile), { recursive: true });
    const h = await open(o.deadLetterFile, 'a');
    try {
      let text = '';
      for (const { event, item } of rows) {
        text +=
          JSON.stringify({
            time: new Date(clock()).toISOString(),
            sink: o.name,
            index: dataStreamFor(event, o.namespace),
            id: event.id,
            status: item.status,
            error: item.error ?? null,
            event: { stream: event.stream, org: event.orgSlug, ts: event.ts, raw: event.raw },
          }) + '\n';
      }
      await h.writeFile(text);
      await h.sync();
    } finally {
      await h.close();
    }
    stats.deadLettered += rows.length;
    if (o.alerts) {
      const byOrg = new Map<string, typeof rows>();
      for (const r of rows) byOrg.set(r.event.orgId, [...(byOrg.get(r.event.orgId) ?? []), r]);
      for (const [orgId, list] of byOrg) {
        const first = list[0]!;
        await o.alerts.raise({
          orgId,
          source: 'logs',
          rule: 'logs.sink_dead_letter',
          title: `${o.name}: Elasticsearch refused ${list.length} event(s) (${first.item.error?.type ?? `status ${first.item.status}`}); kept in the dead-letter file`,
          severity: 'high',
          entity: o.name,
          firstSeen: new Date(clock()),
          lastSeen: new Date(clock()),
          eventIds: list.map((r) => r.event.id),
          fields: {
            deadLetterFile: o.deadLetterFile,
            errorType: first.item.error?.type ?? null,
            reason: first.item.error?.reason ?? null,
          },
          dedupeKey: `logs.sink_dead_letter:${o.name}`,
        });
      }
    }
  }

  async function bulk(events: readonly SinkEvent[], signal: AbortSignal): Promise<BulkItemResult[]> {
    const res = await o.http.post(endpoint, headers, body(events), signal);
    if (res.status === 401 || res.status === 403) {
      throw new SinkError('sink.config', o.name, `Elasticsearch refused the API key (HTTP ${res.status})`);
    }
    if (res.status === 429 || res.status >= 500) {
      throw new SinkError('sink.unavailable', o.name, `Elasticsearch answered HTTP ${res.status}`);
    }
    if (res.status === 413) {
      throw new SinkError(
        'sink.rejected',
        o.name,
        'request too large for Elasticsearch (HTTP 413): lower batchSize',
      );
    }
    if (res.status < 200 || res.status > 299) {
      throw new SinkError(
        'sink.rejected',
        o.name,
        `Elasticsearch answered HTTP ${res.status} to ${redactUrl(endpoint)}`,
      );
    }
    const items = parseItems(res.text, events.length);
    if (items === null) {
      throw new SinkError(
        'sink.unavailable',
        o.name,
        `${redactUrl(endpoint)} did not answer like Elasticsearch's _bulk (no item per document)`,
      );
    }
    return items;
  }

  return {
    name: o.name,
    guarantee: 'exactly_once',
    async send(batch, signal): Promise<void> {
      let pending: readonly SinkEvent[] = batch;
      const rejected: Array<{ event: SinkEvent; item: BulkItemResult }> = [];
      for (let attempt = 1; pending.length > 0; attempt++) {
        signal.throwIfAborted();
        const items = await bulk(pending, signal);
        const retry: SinkEvent[] = [];
        items.forEach((item, i) => {
          const event = pending[i]!;
          if (item.status === 200 || item.status === 201) stats.created += 1;
          else if (item.status === 409)
            stats.conflicts += 1; // already indexed by an earlier attempt
          else if (item.status === 429 || item.status >= 500) retry.push(event);
          else rejected.push({ event, item });
        });
        if (retry.length > 0 && attempt >= attempts) {
          if (rejected.length > 0) await deadLetter(rejected.splice(0));
          throw new SinkError(
            'sink.unavailable',
            o.name,
            `${retry.length} item(s) still refused with 429/5xx after ${attempts} attempts`,
          );
        }
        if (retry.length > 0) {
          stats.retriedItems += retry.length;
          await sleep(200 * 2 ** (attempt - 1));
        }
        pending = retry;
      }
      if (rejected.length > 0) await deadLetter(rejected);
    },
    stats(): SinkStats {
      return { ...stats };
    },
    close: () => o.http.close(),
  };
}
