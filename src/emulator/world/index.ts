/**
 * The emulated Duo world: tenants, generated logs, scenarios, the Auth API engine, Device API caches and the
 * emulator clock. Every object returned is already in Duo's wire shape (docs/duo-wire.md §5); the wire side
 * (src/emulator/*) verifies, pages, wraps and serializes. Contract: /tmp/EMULATOR-CONTRACT.md.
 */
export { createClock, type EmulatorClock, type ClockOptions } from './clock.js';
export { createTenant, HISTORY_MS } from './tenant.js';
export { createAccountsWorld, apiHostname, type AccountsWorld } from './accounts.js';
export { parseTenantFixture, validateTenantFixture, FixtureError, type FixtureIssue } from './fixture.js';
export {
  tenantFixtureSchema,
  FACTOR_SHORTHANDS,
  type TenantFixture,
  type FactorShorthand,
} from './fixture-schema.js';
export { isWorldError, worldError } from './errors.js';
export {
  normalizeDeviceId,
  MAX_DEVICES_PER_ADD,
  DEFAULT_DEVICE_PAGE,
  MAX_DEVICE_PAGE,
} from './device-cache.js';
export { PUSH_TIMEOUT_MS, DEFAULT_BEHAVIOUR } from './auth-engine.js';
export { AUTH_BUCKET_MS } from './auth-log-gen.js';
export { vpnEgressNetwork } from './networks.js';
export { STATUS_MIX } from './users-gen.js';
export type * from './types.js';
export type * from './wire-types.js';
