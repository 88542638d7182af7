import { createRoute, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { z } from '@hono/zod-openapi';
import type { Access } from './access.js';
import { guard } from './access.js';
import type { AppContext, AppEnv, ServerDeps } from './context.js';
import { ErrorBody } from './schemas.js';

const errorResponses = {
  400: {
    description: 'Validation failed; `details` lists every problem.',
    content: { 'application/json': { schema: ErrorBody } },
  },
  401: { description: 'Not signed in.', content: { 'application/json': { schema: ErrorBody } } },
  403: {
    description: 'Refused: role, CSRF or origin.',
    content: { 'application/json': { schema: ErrorBody } },
  },
  404: {
    description: 'No such resource (or not yours).',
    content: { 'application/json': { schema: ErrorBody } },
  },
};

/**
 * createRoute plus who may call it: the access level becomes both the guard middleware and the
 * `x-duowatch-access` extension in the OpenAPI document.
 */
export function defineRoute<const R extends Omit<RouteConfig, 'middleware'>>(
  deps: ServerDeps,
  access: Access,
  route: R,
) {
  return createRoute({
    ...route,
    responses: { ...errorResponses, ...route.responses },
    security: access === 'public' ? [] : [{ session: [] }, { bearer: [] }],
    'x-duowatch-access': access,
    middleware: [guard(deps, access)] as const,
  });
}

/** A JSON response run through its declared schema: unknown keys are stripped, so nothing undeclared leaks. */
export function reply<S extends z.ZodType>(
  c: AppContext,
  schema: S,
  data: z.input<S>,
  status: 200 | 201 = 200,
): Response {
  return c.json(schema.parse(data) as object, status);
}

export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
export const body = <S extends z.ZodType>(schema: S) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

/** The validated part of a request, typed from the schema that validated it. */
export function input<S extends z.ZodType>(
  c: AppContext,
  target: 'json' | 'query' | 'param',
  _schema: S,
): z.output<S> {
  return (c.req.valid as (t: string) => unknown)(target) as z.output<S>;
}

/**
 * Registers a route whose handler builds its Response through `reply` (which validates against the same
 * schema at run time), instead of relying on the typed-response inference, which cannot see `reply`.
 */
export function mount(
  app: OpenAPIHono<AppEnv>,
  route: ReturnType<typeof createRoute>,
  handler: (c: AppContext) => Response | Promise<Response>,
): void {
  app.openapi(route, handler as never);
}
