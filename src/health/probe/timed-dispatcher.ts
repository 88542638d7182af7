import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { Agent, ProxyAgent, buildConnector, type Dispatcher } from 'undici';
import {
  bypassesProxy,
  createGuardedConnector,
  systemResolver,
  trustedCas,
  validateApiHostname,
  type DuoTransportOptions,
  type ResolveTarget,
} from '../../duo/index.js';
import type { PhaseObserver, RequestTiming } from './phase-observer.js';

/** What one probe request needs from the transport: the dispatcher to send it on, and its timing record. */
export interface TimedDispatcher {
  readonly agent: Dispatcher;
  readonly timing: RequestTiming;
  /** False when the request goes through a proxy: the DNS, TCP and TLS we could time are the proxy's. */
  readonly timed: boolean;
}

/**
 * The same guarded connection path as every Duo request (src/duo/transport: pinned roots or the configured
 * CAs, the DNS guard that refuses private answers, `resolve` pins), built fresh for one request so the probe
 * measures a whole new connection as blackbox_exporter does, with timers on the lookup and the TCP dial.
 * Probes never reuse a pooled connection: a warm socket would hide a DNS or TLS outage.
 */
export function timedDispatcher(
  transport: DuoTransportOptions,
  host: string,
  observer: PhaseObserver,
  /** The trust store, built once per monitor (SecureContexts); without it each connection parses the roots. */
  secureContext?: SecureContext,
): TimedDispatcher {
  const timing: RequestTiming = { startedAt: observer.now() };
  const name = validateApiHostname(host);
  const proxy = transport.proxy ?? undefined;
  const pinned = new Map<string, ResolveTarget>();
  for (const [h, target] of Object.entries(transport.resolve ?? {}))
    pinned.set(validateApiHostname(h), target);
  if (proxy !== undefined && !pinned.has(name) && !bypassesProxy(name, proxy.noProxy ?? [])) {
    // Through a CONNECT proxy the lookup and the handshake to Duo are not ours to time; total and ttfb still are.
    return { agent: proxyAgent(transport, proxy.url), timing, timed: false };
  }
  const ca = secureContext === undefined ? trustedCas(transport) : undefined;
  const base = buildConnector({
    ...(secureContext === undefined ? {} : { secureContext }),
    ...(ca === undefined ? {} : { ca }),
    // A fresh connector per request has no session to resume anyway; say so: every probe is a full handshake.
    maxCachedSessions: 0,
    timeout: transport.connectTimeoutMs ?? 10_000,
  });
  const resolver = transport.resolver ?? systemResolver;
  const connector = createGuardedConnector({
    resolveMap: pinned,
    allowPrivateAddresses: transport.allowPrivateAddresses === true,
    resolver: async (hostname) => {
      timing.dnsStart = observer.now();
      try {
        return await resolver(hostname);
      } finally {
        timing.dnsEnd = observer.now();
      }
    },
    base: (options, callback) => {
      timing.dialStart = observer.now();
      // undici's connector returns the socket it dials (its type says void); the TCP connect is timed on it.
      const socket = base(options, callback) as unknown as Socket | undefined;
      if (socket !== undefined) observer.track(socket, timing);
      socket?.once('connect', () => {
        timing.tcpEnd = observer.now();
      });
      return socket;
    },
  });
  return {
    agent: new Agent({ connect: connector, connections: 1, pipelining: 1, keepAliveTimeout: 1 }),
    timing,
    timed: true,
  };
}

function proxyAgent(transport: DuoTransportOptions, uri: string): Dispatcher {
  const ca = trustedCas(transport);
  return new ProxyAgent({ uri, requestTls: ca === undefined ? {} : { ca }, proxyTunnel: true });
}
