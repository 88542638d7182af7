import type { DuoClient } from '../duo/index.js';
import type { DuoClients, DuowatchServices, IntegrationView } from '../services/index.js';
import type { Store } from '../store/index.js';
import { VerifyError } from './errors.js';

export interface AuthTarget {
  orgId: string;
  orgSlug: string;
  integration: IntegrationView;
}

/**
 * The organization and its Auth API integration an action runs against: `--integration` by id or label;
 * without it, the organization's only Auth API integration (two or more must be named).
 */
export async function resolveAuthTarget(
  services: Pick<DuowatchServices, 'orgs' | 'integrations'>,
  org: string,
  integration?: string,
): Promise<AuthTarget> {
  const o = await services.orgs.get(org);
  if (o === null) throw new VerifyError('verify_org_not_found', `no organization ${JSON.stringify(org)}`);
  const auth = (await services.integrations.list(o.id)).filter((i) => i.kind === 'auth');
  let chosen: IntegrationView | undefined;
  if (integration !== undefined) {
    chosen = auth.find((i) => i.id === integration) ?? auth.find((i) => i.label === integration);
    if (chosen === undefined)
      throw new VerifyError(
        'verify_no_auth_integration',
        `organization ${o.slug} has no Auth API integration ${JSON.stringify(integration)} (by id or label)`,
      );
  } else if (auth.length === 1) chosen = auth[0];
  else if (auth.length === 0)
    throw new VerifyError(
      'verify_no_auth_integration',
      `organization ${o.slug} has no Auth API integration; add one with: duowatch integrations add --org ${o.slug} --kind auth …`,
    );
  else
    throw new VerifyError(
      'verify_integration_ambiguous',
      `organization ${o.slug} has ${String(auth.length)} Auth API integrations; name one with --integration (${auth.map((i) => i.label).join(', ')})`,
    );
  if (chosen === undefined) throw new VerifyError('verify_no_auth_integration', 'no Auth API integration');
  return { orgId: o.id, orgSlug: o.slug, integration: chosen };
}

export function authClient(clients: DuoClients, store: Store, target: AuthTarget): Promise<DuoClient> {
  return clients.forIntegration(store, target.orgId, target.integration.id);
}
