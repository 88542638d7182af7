import { worstStatus } from '../evidence/index.js';
import { CORE_SIGNAL_IDS, type SignalStatus } from '../shared/index.js';
import type { DuowatchServices, OrgView } from './contract.js';
import { ServiceError } from './errors.js';
import type { ServiceContext } from './service-context.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Organizations (tenants): list with their worst latest status, create, remove; audited. */
export function createOrgsService(ctx: ServiceContext): DuowatchServices['orgs'] {
  const { store, org, audit } = ctx;

  function orgView(
    o: { id: string; slug: string; name: string; createdAt: Date },
    statuses: ReadonlyArray<{ orgId: string; status: SignalStatus }>,
  ): OrgView {
    const own = statuses.filter((x) => x.orgId === o.id).map((x) => x.status);
    return {
      id: o.id,
      slug: o.slug,
      name: o.name,
      createdAt: o.createdAt.toISOString(),
      worstStatus: own.length === 0 ? null : worstStatus(own),
    };
  }

  return {
    async list() {
      // One query for every organization's latest statuses, not one per organization.
      const statuses = await store.evidence.latestStatuses(CORE_SIGNAL_IDS);
      return (await store.organizations.list()).map((o) => orgView(o, statuses));
    },
    async get(idOrSlug) {
      const o = await store.organizations.resolve(idOrSlug);
      if (o === undefined) return null;
      const latest = await store.evidence.latest(o.id, CORE_SIGNAL_IDS);
      return orgView(
        o,
        latest.map((r) => ({ orgId: o.id, status: r.status })),
      );
    },
    async create(input, actor) {
      if (!SLUG.test(input.slug))
        throw new ServiceError(
          'invalid_input',
          'slug must be 1–63 lowercase letters, digits or hyphens, not starting or ending with a hyphen',
        );
      if ((await store.organizations.findBySlug(input.slug)) !== undefined)
        throw new ServiceError('conflict', `organization ${input.slug} already exists`);
      const o = await store.organizations.create({
        slug: input.slug,
        ...(input.name === undefined ? {} : { name: input.name }),
      });
      await audit(actor, o.id, 'organization.create', o.slug);
      return orgView(o, []);
    },
    async remove(orgId, actor) {
      const o = await org(orgId);
      await store.organizations.delete(o.id);
      await audit(actor, null, 'organization.delete', o.slug);
    },
  };
}
