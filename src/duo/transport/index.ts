export { validateApiHostname } from './hostname.js';
export {
  forbiddenAddressReason,
  vetAddresses,
  ForbiddenAddressError,
  type ResolvedAddress,
} from './address-guard.js';
export { createGuardedConnector, systemResolver, type Resolver, type ResolveTarget } from './connector.js';
export { DuoDispatcher, trustedCas, type DuoTransportOptions } from './dispatcher.js';
export { duoTransportOptionsFromEnv, parseResolveList, type ReadTextFile } from './env-options.js';
export { proxyFromEnv, bypassesProxy, type ProxyConfig } from './proxy.js';
export { DUO_PINNED_ROOTS, DUO_ROOTS_MISSING, DUO_ROOTS_FROM_OFFICIAL_BUNDLE } from './duo-roots.js';
