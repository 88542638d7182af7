/**
 * The states of a credential's health, written once: the store's model, the integrations capability's view,
 * the REST schema and the metrics' gauge labels all take the list from here (docs/integrations.md). The
 * back-off rule treats `clock_skew` as `auth_failed`; it stays its own state so the operator is told which.
 */
export const CREDENTIAL_STATES = ['ok', 'auth_failed', 'rate_limited', 'clock_skew'] as const;

export type CredentialState = (typeof CREDENTIAL_STATES)[number];
