export { createServerApp, defaultConfig, type CreateServerAppOptions, type ServerApp } from './app.js';
export { listen, type Listening } from './listen.js';
export { createLogger, REDACT_PATHS } from './logger.js';
export { createMetrics, type ServerMetrics } from './metrics.js';
export { ApiError } from './errors.js';
export type { ServerConfig, ServerLogger } from './context.js';
// For capabilities' route modules (StartedCapability.mountRoutes): the same guards, audit and error shape.
export { defineRoute, mount, reply, json, body, input } from './define-route.js';
export { audit, actorOf, actorId } from './auth.js';
export type { AppEnv, AppContext, ServerDeps, Principal } from './context.js';
export { allowedHostsFor, LOOPBACK_HOSTS } from './edge.js';
export { OrgParam } from './schemas.js';
