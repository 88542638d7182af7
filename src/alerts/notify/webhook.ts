import { createHmac } from 'node:crypto';
import type { Secret } from '../../store/index.js';
import { AlertError } from '../errors.js';
import type { StoredAlert } from '../model.js';
import { fieldLines, headline, type NotifyChannel } from './channel.js';

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number }>;

export const SIGNATURE_HEADER = 'X-Duowatch-Signature';
export const TIMESTAMP_HEADER = 'X-Duowatch-Timestamp';

/**
 * The signature a receiver recomputes: HMAC-SHA256 over `<timestamp>.<body>` with the shared secret, hex,
 * prefixed `v1=` (the timestamp in the signed text stops a captured request being replayed later).
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Slack-compatible JSON: `text` for any incoming-webhook receiver, `blocks` for Slack's richer view. */
export function webhookPayload(alert: StoredAlert, orgSlug: string, dashboardUrl: string | null) {
  const lines = fieldLines(alert);
  const link = dashboardUrl === null ? '' : `\n${dashboardUrl}#/alerts/${alert.id}`;
  return {
    text: `${headline(alert, orgSlug)}${link}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${headline(alert, orgSlug)}*` } },
      ...(lines.length === 0 ? [] : [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }]),
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `rule ${alert.rule} · first seen ${alert.firstSeen.toISOString()}${link}` },
        ],
      },
    ],
    duowatch: {
      id: alert.id,
      org: orgSlug,
      rule: alert.rule,
      severity: alert.severity,
      entity: alert.entity,
      first_seen: alert.firstSeen.toISOString(),
      last_seen: alert.lastSeen.toISOString(),
      count: alert.count,
      events: alert.eventIds,
    },
  };
}

export function webhookChannel(options: {
  url: string;
  secret: Secret | null;
  fetch?: FetchLike;
  clock?: () => Date;
  timeoutMs?: number;
}): NotifyChannel {
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const clock = options.clock ?? (() => new Date());
  return {
    name: 'webhook',
    async send(alert, { orgSlug, dashboardUrl }) {
      const body = JSON.stringify(webhookPayload(alert, orgSlug, dashboardUrl));
      const timestamp = String(Math.floor(clock().getTime() / 1000));
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: timestamp,
      };
      if (options.secret !== null)
        headers[SIGNATURE_HEADER] = signWebhook(options.secret.reveal(), timestamp, body);
      let res: { ok: boolean; status: number };
      try {
        res = await doFetch(options.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        // The URL may carry a token (Slack puts one in the path): name only the host.
        throw new AlertError('alerts.webhook_failed', `webhook to ${new URL(options.url).host} failed`, {
          cause: error,
        });
      }
      if (!res.ok)
        throw new AlertError(
          'alerts.webhook_failed',
          `webhook to ${new URL(options.url).host} answered ${res.status}`,
        );
    },
  };
}
