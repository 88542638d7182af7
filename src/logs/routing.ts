import type { RouteCondition } from './config-schema.js';
import type { LogRoute } from './logs-config.js';
import type { LogSink, SinkEvent } from './sinks/index.js';
import { LOG_STREAMS, type LogStream } from './streams.js';

/** A dotted path into Duo's event object (`access_device.os`); undefined when any step is missing. */
export function fieldOf(raw: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = raw;
  for (const step of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

function holds(c: RouteCondition, raw: Readonly<Record<string, unknown>>): boolean {
  const v = fieldOf(raw, c.field);
  if (c.equals !== undefined) return v === c.equals;
  if (c.in !== undefined) return c.in.some((x) => x === v);
  if (c.notEquals !== undefined) return v !== c.notEquals;
  if (c.notIn !== undefined) return !c.notIn.some((x) => x === v);
  return true;
}

/** Whether every condition of a route holds for the event (no condition: every event). */
export function matchesWhere(
  where: readonly RouteCondition[],
  raw: Readonly<Record<string, unknown>>,
): boolean {
  return where.every((c) => holds(c, raw));
}

function routeCarries(route: LogRoute, orgSlug: string, stream: LogStream | 'alerts'): boolean {
  if (route.org !== '*' && route.org !== orgSlug) return false;
  if (stream === 'alerts') return route.streams.includes('alerts');
  return route.streams.includes('*') || route.streams.includes(stream);
}

/**
 * The sink as one stream of one organization sees it: only the events some route to this sink accepts go
 * through; position and restore are the shared sink's (its state covers every stream, docs/log-sinks.md).
 */
function filtered(sink: LogSink, accept: ((e: SinkEvent) => boolean) | null): LogSink {
  if (accept === null) return sink;
  return {
    name: sink.name,
    guarantee: sink.guarantee,
    async send(batch, signal) {
      const chosen = batch.filter(accept);
      if (chosen.length > 0) await sink.send(chosen, signal);
    },
    ...(sink.position === undefined ? {} : { position: () => sink.position!() }),
    ...(sink.restore === undefined ? {} : { restore: (p: string | null) => sink.restore!(p) }),
    ...(sink.stats === undefined ? {} : { stats: () => sink.stats!() }),
    // The shared sink is closed once by its owner, not by each stream's view of it.
    close: () => Promise.resolve(),
  };
}

export interface RoutePlan {
  /** Whether any route names this organization (or `*`). */
  collects(orgSlug: string): boolean;
  /** The Duo streams some route of this organization carries. */
  streams(orgSlug: string): LogStream[];
  /** The sinks one stream of one organization is delivered to, each filtered by its routes' `where`. */
  sinksFor(orgSlug: string, stream: LogStream | 'alerts'): LogSink[];
}

/**
 * Routes from the configuration over the built sinks: an event goes to the union of the sinks of every route
 * whose organization and stream match it and whose conditions hold.
 */
export function planRoutes(routes: readonly LogRoute[], sinks: ReadonlyMap<string, LogSink>): RoutePlan {
  return {
    collects: (orgSlug) => routes.some((r) => r.org === '*' || r.org === orgSlug),
    streams: (orgSlug) => LOG_STREAMS.filter((s) => routes.some((r) => routeCarries(r, orgSlug, s))),
    sinksFor(orgSlug, stream) {
      const out: LogSink[] = [];
      const names = [...new Set(routes.flatMap((r) => (routeCarries(r, orgSlug, stream) ? r.sinks : [])))];
      for (const name of names) {
        const sink = sinks.get(name);
        if (sink === undefined) continue;
        const mine = routes.filter((r) => routeCarries(r, orgSlug, stream) && r.sinks.includes(name));
        // One route without conditions takes every event; otherwise any route's conditions may admit it.
        const accept = mine.some((r) => r.where.length === 0)
          ? null
          : (e: SinkEvent) => mine.some((r) => matchesWhere(r.where, e.raw));
        out.push(filtered(sink, accept));
      }
      return out;
    },
  };
}
