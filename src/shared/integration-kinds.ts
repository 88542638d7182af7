/**
 * The kinds of Duo application an organization can connect, written once: the store, the configuration
 * file, the service, the REST API and the CLI all take the list from here (the integrations capability's
 * door re-exports it). Each kind has its own Test before Save (src/integrations/test-integration.ts).
 */
export const INTEGRATION_KINDS = ['admin', 'auth', 'device', 'accounts'] as const;

export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

export function isIntegrationKind(value: unknown): value is IntegrationKind {
  return typeof value === 'string' && (INTEGRATION_KINDS as readonly string[]).includes(value);
}
