import type { EndpointDef } from './endpoint.js';

/** Accounts API (docs/duo-wire.md §5): the parent lists its child accounts; children are then managed with the
 * Admin API on the child's api_hostname with `account_id` added (handled by the app's credential lookup). */
export const accountsApiEndpoints: EndpointDef[] = [
  {
    method: 'POST',
    path: '/accounts/v1/account/list',
    api: 'accounts',
    rate: 'page',
    handler: ({ children }) => ({
      response: children().map((t) => ({ account_id: t.accountId, api_hostname: t.hostname, name: t.name })),
    }),
  },
];
