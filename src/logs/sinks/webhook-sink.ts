import { createHmac } from 'node:crypto';
import type { SinkEvent } from './types.js';
import { formatEvent } from './format.js';
import type { HttpPoster } from './http-post.js';
import { redactUrl } from './http-post.js';
import type { LogFormat, LogSink, SinkStats } from './types.js';
import { SinkError } from './types.js';

export interface WebhookSinkOptions {
  readonly name: string;
  readonly url: string;
  readonly format: LogFormat;
  /** HMAC-SHA256 key; when set, every request carries `X-Duowatch-Signature: t=<unix s>,v1=<hex>`. */
  readonly secret: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly http: HttpPoster;
  readonly clock?: () => number;
}

/** The signature a receiver recomputes: HMAC-SHA256 over `<t>.<body>` with the shared secret, in hex. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * A generic HTTP webhook (docs/log-sinks.md, "Webhook"): one POST per batch, body
 * `{"sink", "sent_at", "events": [...]}` with every event in the chosen format (raw events carry their id in
 * `duowatch.id`, ECS ones in `event.id`). Any 2xx acknowledges the batch. The timestamp in the signed string
 * lets a receiver refuse replays. At-least-once.
 */
export function createWebhookSink(o: WebhookSinkOptions): LogSink {
  const clock = o.clock ?? Date.now;
  const stats = { sent: 0, requests: 0 };
  return {
    name: o.name,
    guarantee: 'at_least_once',
    async send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
      if (batch.length === 0) return;
      const now = clock();
      const body = JSON.stringify({
        sink: o.name,
        sent_at: new Date(now).toISOString(),
        events: batch.map((e) => formatEvent(e, o.format)),
      });
      const t = Math.floor(now / 1000);
      const headers: Record<string, string> = {
        ...o.headers,
        'content-type': 'application/json',
        ...(o.secret === null
          ? {}
          : { 'x-duowatch-signature': `t=${t},v1=${webhookSignature(o.secret, t, body)}` }),
      };
      stats.requests += 1;
      const answer = await o.http.post(o.url, headers, body, signal);
      if (answer.status >= 200 && answer.status < 300) {
        stats.sent += batch.length;
        return;
      }
      const what = `${redactUrl(o.url)} answered HTTP ${answer.status}`;
      if (answer.status === 401 || answer.status === 403) throw new SinkError('sink.config', o.name, what);
      if (answer.status === 408 || answer.status === 429 || answer.status >= 500) {
        throw new SinkError('sink.unavailable', o.name, what);
      }
      throw new SinkError('sink.rejected', o.name, what);
    },
    stats(): SinkStats {
      return { ...stats };
    },
    close: () => o.http.close(),
  };
}
