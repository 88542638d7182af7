import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import type { DuowatchServices } from '../services/contract.js';
import { DuowatchError } from '../shared/index.js';
import {
  createAccountsService,
  DEFAULT_SCRYPT,
  DEFAULT_SESSION_TTL_MS,
  type AccountsStore,
  type SecondFactor,
  type ThrottleOptions,
} from '../accounts/index.js';
import { resolvePrincipal, sameOriginGuard } from './auth.js';
import type { AppEnv, ServerConfig, ServerDeps, ServerLogger } from './context.js';
import { ApiError } from './errors.js';
import { allowedHost, apiBodyLimit, LOOPBACK_HOSTS, metricsAuth, wellFormedPath } from './edge.js';
import { createLogger } from './logger.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { mountAudit } from './routes/audit-log.js';
import { mountEvidence } from './routes/evidence.js';
import { mountIntegrations } from './routes/integrations.js';
import { mountOrgs } from './routes/orgs.js';
import { mountSession } from './routes/session.js';
import { mountTokens } from './routes/tokens.js';
import { mountUsers } from './routes/users.js';
import { newId, type RandomBytes } from '../accounts/index.js';
import { securityHeaders } from './security-headers.js';
import { mountStatic } from './static-files.js';
import { randomBytes } from 'node:crypto';
import { version } from '../version.js';

export interface CreateServerAppOptions {
  services: DuowatchServices;
  store: AccountsStore;
  config?: Partial<ServerConfig>;
  logger?: ServerLogger;
  clock?: () => Date;
  /** A prom-client registry; metrics are registered on it (a fresh one when omitted). */
  metrics?: Registry;
  random?: RandomBytes;
  throttle?: ThrottleOptions;
  /** Route mounters of the capabilities (the composition root's `StartedCapability.mountRoutes`). */
  routes?: ReadonlyArray<(app: OpenAPIHono<AppEnv>, deps: ServerDeps) => void>;
  /** The second sign-in step (docs/verify.md); without it the password alone signs in. */
  secondFactor?: SecondFactor;
}

export type ServerApp = OpenAPIHono<AppEnv> & { deps: ServerDeps };

/** 64 KiB: every JSON body the API takes is far smaller; an import route gets its own entry in bodyLimits. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const here = dirname(fileURLToPath(import.meta.url));

export function defaultConfig(): ServerConfig {
  return {
    secureCookies: false,
    trustProxy: false,
    trustedProxies: 1,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    bodyLimits: [],
    allowedHosts: LOOPBACK_HOSTS,
    metricsToken: null,
    sessionTtlMs: DEFAULT_SESSION_TTL_MS,
    // src/server → repo root, and dist/server → repo root alike.
    publicDir: resolve(here, '..', '..', 'public'),
    uplotDir: dirname(createRequire(import.meta.url).resolve('uplot')),
    scrypt: DEFAULT_SCRYPT,
  };
}

export function createServerApp(options: CreateServerAppOptions): ServerApp {
  const config: ServerConfig = { ...defaultConfig(), ...options.config };
  const clock = options.clock ?? (() => new Date());
  const registry = options.metrics ?? new Registry();
  const metrics: ServerMetrics = createMetrics(registry, { clock });
  const deps: ServerDeps = {
    services: options.services,
    accounts: options.store,
    config,
    proxy: { trustedProxies: config.trustProxy ? Math.max(1, config.trustedProxies) : 0 },
    logger: options.logger ?? createLogger(),
    clock,
    accountsService: createAccountsService({
      store: options.store,
      clock,
      scrypt: config.scrypt,
      sessionTtlMs: config.sessionTtlMs,
      ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
      ...(options.random === undefined ? {} : { random: options.random }),
    }),
    metrics,
    random: options.random ?? randomBytes,
    ...(options.secondFactor === undefined ? {} : { secondFactor: options.secondFactor }),
  };

  deps.accountsService.prepareLogin();

  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const details = result.error.issues.map((i) => ({
        path: [result.target, ...i.path.map(String)].join('.'),
        message: i.message,
      }));
      throw new ApiError(
        400,
        'validation_failed',
        `The request has ${details.length} problem(s); see details.`,
        { details },
      );
    },
  });

  const observe: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = performance.now();
    c.set('requestId', newId(deps.random));
    await next();
    const seconds = (performance.now() - started) / 1000;
    // The last matched route is the handler's pattern (`/api/v1/orgs/:org`), a bounded label set.
    const route = routePath(c, -1) || 'unmatched';
    metrics.observeRequest(c.req.method, route, c.res.status, seconds);
    if (c.req.path !== '/healthz' && c.req.path !== '/metrics') {
      deps.logger.info(
        {
          reqId: c.get('requestId'),
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(seconds * 1000),
        },
        'request',
      );
    }
  };
  app.use('*', observe);
  app.use('*', securityHeaders({ hsts: config.secureCookies }));
  app.use('*', allowedHost(config.allowedHosts));
  app.use('*', wellFormedPath());
  app.use('/api/*', apiBodyLimit(config));
  app.use('/api/*', sameOriginGuard());
  app.use('/api/*', resolvePrincipal(deps));

  mountSession(app, deps);
  mountOrgs(app, deps);
  mountIntegrations(app, deps);
  mountEvidence(app, deps);
  mountAudit(app, deps);
  mountUsers(app, deps);
  mountTokens(app, deps);
  for (const mountRoutes of options.routes ?? []) mountRoutes(app, deps);

  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'dw_session',
    description:
      'Session cookie from POST /api/v1/session; state-changing requests also need the X-CSRF-Token header.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (dwt_…).',
  });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'duowatch',
      version,
      description: 'Errors are {error: {code, message}}; see docs/api.md.',
    },
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      // A real query: the operators table is small and always present.
      await deps.accounts.operators.count();
      return c.json({ status: 'ready' });
    } catch (error) {
      deps.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'readyz: database unreachable',
      );
      return c.json(
        {
          status: 'unavailable',
          error: { code: 'db_unreachable', message: 'The database cannot be reached.' },
        },
        503,
      );
    }
  });
  app.get('/metrics', metricsAuth(config.metricsToken), async (c) => {
    await metrics.refresh(deps.accounts.metrics);
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });

  mountStatic(app, { publicDir: config.publicDir, uplotDir: config.uplotDir });

  app.notFound((c) =>
    new ApiError(404, 'route_not_found', `No route for ${c.req.method} ${c.req.path}.`).render(),
  );
  app.onError((error, c) => {
    if (error instanceof ApiError) return error.render();
    if (error instanceof HTTPException && error.status < 500)
      return new ApiError(error.status, 'bad_request', error.message).render();
    if (error instanceof DuowatchError && error.status !== 500)
      return new ApiError(error.status, error.code, error.message).render();
    deps.logger.error(
      {
        reqId: c.get('requestId'),
        err:
          error instanceof Error
            ? { name: error.name, message: error.message, code: (error as { code?: unknown }).code }
            : String(error),
      },
      'request failed',
    );
    return new ApiError(
      500,
      'internal_error',
      `Something went wrong (request ${c.get('requestId')}).`,
    ).render();
  });

  return Object.assign(app, { deps });
}
