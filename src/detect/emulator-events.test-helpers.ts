/**
 * The emulated tenant's logs as the log collector delivers them: Duo's events in time order per stream, with
 * deterministic ids (auth: txid; admin: timestamp+action+object; telephony: telephony_id; Trust Monitor:
 * sekey). Test helper only: the real collector is its own capability.
 */
import type { CollectedEvent } from '../app/index.js';
import type { Tenant } from '../emulator/world/index.js';
import { eventTime } from './replay.js';

export function emulatorEvents(t: Tenant, org: string, mintime: number, maxtime: number): CollectedEvent[] {
  const out: CollectedEvent[] = [];
  const push = (stream: CollectedEvent['stream'], id: string, raw: object) => {
    const r = raw as Record<string, unknown>;
    out.push({ id, stream, orgId: org, orgSlug: org, ts: eventTime(stream, r) ?? 0, raw: r });
  };
  let after: Parameters<Tenant['authLog']>[0]['after'];
  for (;;) {
    const page = t.authLog({
      mintime,
      maxtime,
      limit: 1000,
      sort: 'ts:asc',
      ...(after === undefined ? {} : { after }),
    });
    for (const e of page.events) push('auth', `auth:${e.txid}`, e);
    if (page.next === null || page.events.length === 0) break;
    after = page.next;
  }
  for (const row of t.adminLog(Math.floor(mintime / 1000), 1000, Math.floor(maxtime / 1000)))
    push('admin', `admin:${row.timestamp}:${row.action}:${row.object ?? ''}`, row);
  let next: string | undefined;
  for (;;) {
    const page = t.telephonyLog({
      mintime,
      maxtime,
      limit: 1000,
      sort: 'ts:asc',
      ...(next === undefined ? {} : { after: next }),
    });
    for (const item of page.items) push('telephony', `telephony:${item.telephony_id}`, item);
    if (page.next === null || page.items.length === 0) break;
    next = page.next;
  }
  for (const e of t.trustMonitor({ mintime, maxtime, limit: 200 }).events)
    push('trust_monitor', `tm:${e.sekey}`, e);
  return out;
}

/** The collector's NDJSON line for an event. */
export const toLine = (e: CollectedEvent): string =>
  JSON.stringify({ ...e.raw, duowatch: { id: e.id, stream: e.stream, org: e.orgSlug } });
