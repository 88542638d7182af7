import type { Organization, Store } from '../../store/index.js';
import { healthNotFound } from '../errors.js';
import type { ProbeTarget } from './probe-types.js';

/** An organization by id or slug, or a clear not-found error. */
export async function resolveOrg(store: Store, idOrSlug: string): Promise<Organization> {
  const org = await store.organizations.resolve(idOrSlug);
  if (org === undefined) throw healthNotFound(`organization ${JSON.stringify(idOrSlug)}`);
  return org;
}

/** What a probe needs of an integration, without its keys (they are decrypted at the moment of use). */
export interface ProbeSubject {
  orgId: string;
  orgSlug: string;
  integrationId: string;
  kind: ProbeTarget['kind'];
  apiHost: string;
  mkey: string | null;
  label: string;
}

export async function subjectsOf(store: Store, org: Organization): Promise<ProbeSubject[]> {
  return (await store.integrations.list(org.id)).map((i) => ({
    orgId: org.id,
    orgSlug: org.slug,
    integrationId: i.id,
    kind: i.kind,
    apiHost: i.apiHost,
    mkey: i.mkey,
    label: i.label,
  }));
}

export async function allSubjects(store: Store): Promise<ProbeSubject[]> {
  const out: ProbeSubject[] = [];
  for (const org of await store.organizations.list()) out.push(...(await subjectsOf(store, org)));
  return out;
}

/** Decrypts the keys for one probe; undefined when the integration was removed meanwhile. */
export async function targetOf(store: Store, s: ProbeSubject): Promise<ProbeTarget | undefined> {
  const creds = await store.integrations.credentials(s.orgId, s.integrationId);
  if (creds === undefined) return undefined;
  return {
    orgId: s.orgId,
    integrationId: s.integrationId,
    kind: s.kind,
    apiHost: creds.apiHost,
    mkey: s.mkey,
    ikey: creds.ikey.reveal(),
    skey: creds.skey.reveal(),
  };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
