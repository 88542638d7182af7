/** Builders of collected events in Duo's wire shapes, for the rule tests (not shipped: *.test-helpers.ts). */
import type { CollectedEvent } from '../app/index.js';
import { createEngine, type EngineOptions } from './engine.js';
import { foldDetections, type FoldedAlert } from './fold.js';

export const T0 = Date.parse('2026-03-02T12:00:00Z');
export const MIN = 60_000;
export const HOUR_MS = 60 * MIN;
export const DAY_MS = 24 * HOUR_MS;

let serial = 0;
const nextId = (p: string) => `${p}-${++serial}`;

export interface AuthOpts {
  user?: string;
  result?: string;
  reason?: string | null;
  factor?: string | null;
  ip?: string | null;
  country?: string | null;
  city?: string | null;
  app?: string;
  org?: string;
  id?: string;
}

export function auth(ts: number, o: AuthOpts = {}): CollectedEvent {
  const user = o.user ?? 'alice';
  const org = o.org ?? 'acme';
  return {
    id: o.id ?? nextId('auth'),
    stream: 'auth',
    orgId: org,
    orgSlug: org,
    ts,
    raw: {
      access_device: {
        ip: o.ip === undefined ? '81.2.69.142' : o.ip,
        location: {
          city: o.city === undefined ? 'London' : o.city,
          state: null,
          country: o.country === undefined ? 'United Kingdom' : o.country,
        },
      },
      application: { key: 'DIAPP', name: o.app ?? 'VPN' },
      factor: o.factor === undefined ? 'duo_push' : o.factor,
      reason: o.reason === undefined ? 'user_approved' : o.reason,
      result: o.result ?? 'success',
      timestamp: Math.floor(ts / 1000),
      isotimestamp: new Date(ts).toISOString(),
      txid: nextId('tx'),
      user: { key: `DU${user}`, name: user, groups: [] },
    },
  };
}

export function admin(
  ts: number,
  action: string,
  o: { by?: string; description?: unknown; object?: string; org?: string } = {},
): CollectedEvent {
  const org = o.org ?? 'acme';
  return {
    id: nextId('admin'),
    stream: 'admin',
    orgId: org,
    orgSlug: org,
    ts,
    raw: {
      action,
      description: typeof o.description === 'string' ? o.description : JSON.stringify(o.description ?? {}),
      object: o.object ?? 'someone',
      timestamp: Math.floor(ts / 1000),
      isotimestamp: new Date(ts).toISOString(),
      username: o.by ?? 'Root Admin',
    },
  };
}

export function telephony(
  ts: number,
  o: { phone?: string; credits?: number; org?: string } = {},
): CollectedEvent {
  const org = o.org ?? 'acme';
  return {
    id: nextId('tel'),
    stream: 'telephony',
    orgId: org,
    orgSlug: org,
    ts,
    raw: {
      context: 'authentication',
      credits: o.credits ?? 1,
      phone: o.phone ?? '+15555550100',
      telephony_id: nextId('t'),
      ts: new Date(ts).toISOString(),
      txid: nextId('tx'),
      type: 'sms',
    },
  };
}

export function trustMonitor(ts: number, o: { priority?: boolean; user?: string } = {}): CollectedEvent {
  return {
    id: nextId('tm'),
    stream: 'trust_monitor',
    orgId: 'acme',
    orgSlug: 'acme',
    ts,
    raw: {
      explanations: [{ summary: 'New country', type: 'NEW_COUNTRY' }],
      priority_event: o.priority ?? false,
      sekey: nextId('SE'),
      state: 'new',
      surfaced_auth: {
        user: { key: `DU${o.user ?? 'alice'}`, name: o.user ?? 'alice' },
        access_device: { ip: '5.31.2.3' },
      },
      surfaced_timestamp: ts,
      type: 'auth',
    },
  };
}

/** Runs the engine over the events (one batch) and returns the folded alerts. */
export async function run(events: CollectedEvent[], options: EngineOptions = {}): Promise<FoldedAlert[]> {
  const engine = createEngine(options);
  return foldDetections(await engine.process(events));
}

export const rulesOf = (alerts: FoldedAlert[]) => alerts.map((a) => a.rule);
export const only = (alerts: FoldedAlert[], rule: string) => alerts.filter((a) => a.rule === rule);

/** A user with `days` of quiet history: one push success per day from home. */
export function history(days: number, o: AuthOpts = {}, end = T0): CollectedEvent[] {
  const out: CollectedEvent[] = [];
  for (let d = days; d >= 1; d--) out.push(auth(end - d * DAY_MS, o));
  return out;
}
