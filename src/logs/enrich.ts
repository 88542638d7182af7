import type { CollectedEvent } from '../app/index.js';
import type { InventorySnapshot } from './inventory.js';
import type { Enrichment } from './sinks/types.js';

type Doc = Record<string, unknown>;
type Rec = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const rec = (v: unknown): Rec | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined;

/** The newest users and endpoints snapshots of one tenant, indexed for lookups per event. */
export interface InventoryIndex {
  user(username: string): Enrichment['user'];
  host(epkey: string): Enrichment['host'];
}

/**
 * Indexes a tenant's snapshots: users by lower-cased username (Duo matches usernames case-insensitively) and
 * endpoints by `epkey`. A kind whose last snapshot failed contributes nothing (no stale guesses).
 */
export function indexInventory(
  snapshots: readonly Pick<InventorySnapshot, 'kind' | 'items' | 'error'>[],
  want: { readonly users: boolean; readonly hosts: boolean },
): InventoryIndex {
  const users = new Map<string, NonNullable<Enrichment['user']>>();
  const hosts = new Map<string, NonNullable<Enrichment['host']>>();
  for (const s of snapshots) {
    if (s.error !== null) continue;
    if (s.kind === 'users' && want.users)
      for (const u of s.items) {
        const name = str(u['username']);
        if (name === undefined) continue;
        const groups = Array.isArray(u['groups'])
          ? u['groups'].flatMap((g) => {
              const n = str(rec(g)?.['name']);
              return n === undefined ? [] : [n];
            })
          : [];
        const email = str(u['email']);
        const fullName = str(u['realname']);
        users.set(name.toLowerCase(), {
          ...(email === undefined ? {} : { email }),
          ...(fullName === undefined ? {} : { fullName }),
          ...(groups.length === 0 ? {} : { groups }),
        });
      }
    if (s.kind === 'endpoints' && want.hosts)
      for (const e of s.items) {
        const epkey = str(e['epkey']);
        if (epkey === undefined) continue;
        const name = str(e['device_name']) ?? str(e['computer_sid']);
        const type = str(e['type']);
        const osFamily = str(e['os_family']);
        const osVersion = str(e['os_version']);
        hosts.set(epkey, {
          ...(name === undefined ? {} : { name }),
          ...(type === undefined ? {} : { type }),
          ...(osFamily === undefined ? {} : { osFamily }),
          ...(osVersion === undefined ? {} : { osVersion }),
        });
      }
  }
  return { user: (n) => users.get(n.toLowerCase()), host: (k) => hosts.get(k) };
}

/** The Duo user an event is about, per stream (telephony events name none). */
function usernameOf(event: CollectedEvent): string | undefined {
  const raw = event.raw;
  switch (event.stream) {
    case 'auth':
      return str(rec(raw['user'])?.['name']);
    // The administrator log names administrators, not users: no user record applies.
    case 'offline_enrollment':
      return str(raw['username']);
    case 'activity': {
      const actor = rec(raw['actor']);
      return actor?.['type'] === 'user' ? str(actor['name']) : undefined;
    }
    case 'trust_monitor':
      return str(rec(rec(raw['surfaced_auth'])?.['user'])?.['name']);
    default:
      return undefined;
  }
}

/** The endpoint an event came from: authentication and activity events carry `access_device.epkey`. */
function epkeyOf(event: CollectedEvent): string | undefined {
  if (event.stream !== 'auth' && event.stream !== 'activity') return undefined;
  return str(rec(event.raw['access_device'])?.['epkey']);
}

/** What the index knows about this event's user and endpoint; undefined when nothing. */
export function enrichmentFor(event: CollectedEvent, index: InventoryIndex): Enrichment | undefined {
  const name = usernameOf(event);
  const epkey = epkeyOf(event);
  const user = name === undefined ? undefined : index.user(name);
  const host = epkey === undefined ? undefined : index.host(epkey);
  if (user === undefined && host === undefined) return undefined;
  return { ...(user === undefined ? {} : { user }), ...(host === undefined ? {} : { host }) };
}

const child = (doc: Doc, key: string): Doc => {
  const v = rec(doc[key]);
  const out: Doc = v === undefined ? {} : { ...v };
  doc[key] = out;
  return out;
};
const setIfAbsent = (doc: Doc, key: string, v: unknown): void => {
  const cur = doc[key];
  const absent = cur === undefined || cur === null || cur === '' || (Array.isArray(cur) && cur.length === 0);
  if (v !== undefined && absent) doc[key] = v;
};

/**
 * Adds the inventory's fields to an ECS document without overwriting what Duo's event said (the event is the
 * record of that moment; the snapshot is only the newest picture of the user or device).
 */
export function enrichEcs(doc: Doc, e: Enrichment): void {
  if (e.user !== undefined) {
    const user = child(doc, 'user');
    setIfAbsent(user, 'email', e.user.email);
    setIfAbsent(user, 'full_name', e.user.fullName);
    if (e.user.groups !== undefined) setIfAbsent(child(user, 'group'), 'name', [...e.user.groups]);
  }
  if (e.host !== undefined) {
    const host = child(doc, 'host');
    setIfAbsent(host, 'name', e.host.name);
    setIfAbsent(host, 'type', e.host.type);
    const os = child(host, 'os');
    setIfAbsent(os, 'family', e.host.osFamily);
    setIfAbsent(os, 'version', e.host.osVersion);
  }
}
