import { rootCertificates } from 'node:tls';
import { Agent, Dispatcher, ProxyAgent, buildConnector } from 'undici';
import { DuoConfigError } from '../errors/index.js';
import { forbiddenAddressReason } from './address-guard.js';
import { createGuardedConnector, systemResolver, type Resolver, type ResolveTarget } from './connector.js';
import { DUO_PINNED_ROOTS } from './duo-roots.js';
import { validateApiHostname } from './hostname.js';
import { bypassesProxy, type ProxyConfig } from './proxy.js';

export interface DuoTransportOptions {
  /** `duo-roots` (default): only Duo's pinned roots (docs/duo-wire.md §7). `system`: Node's default store. */
  trust?: 'duo-roots' | 'system';
  /** Extra trusted CA certificates (PEM text), e.g. the emulator's CA or a TLS-inspecting proxy's. */
  extraCaPem?: readonly string[];
  /** hostname → address:port, like `curl --resolve`; for the emulator. */
  resolve?: Readonly<Record<string, ResolveTarget>>;
  /** Lets `resolve` targets be loopback/private. Never applies to real DNS answers. */
  allowPrivateAddresses?: boolean;
  /** An HTTP(S) CONNECT proxy; `null` disables the environment's. Default: none (see duoTransportOptionsFromEnv). */
  proxy?: ProxyConfig | null;
  /** DNS for the guard; default `dns.lookup(all)`. */
  resolver?: Resolver;
  connectTimeoutMs?: number;
}

export function trustedCas(options: Pick<DuoTransportOptions, 'trust' | 'extraCaPem'>): string[] | undefined {
  const extra = [...(options.extraCaPem ?? [])];
  if ((options.trust ?? 'duo-roots') === 'system') {
    // Undefined keeps Node's default store (and NODE_EXTRA_CA_CERTS); with extras we must list both.
    return extra.length === 0 ? undefined : [...rootCertificates, ...extra];
  }
  return [...DUO_PINNED_ROOTS, ...extra];
}

function checkResolveMap(options: DuoTransportOptions): Map<string, ResolveTarget> {
  const map = new Map<string, ResolveTarget>();
  for (const [host, target] of Object.entries(options.resolve ?? {})) {
    const name = validateApiHostname(host);
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
      throw new DuoConfigError('duo_invalid_resolve', `resolve override for ${name} has an invalid port`);
    const why = forbiddenAddressReason(target.address);
    if (why === 'not an IP address')
      throw new DuoConfigError('duo_invalid_resolve', `resolve override for ${name} must name an IP address`);
    if (why !== null && options.allowPrivateAddresses !== true)
      throw new DuoConfigError(
        'duo_private_address',
        `resolve override for ${name} points at ${target.address}, ${why}; ` +
          'set allowPrivateAddresses (DUOWATCH_ALLOW_PRIVATE_ADDRESSES=true) to allow it',
      );
    map.set(name, target);
  }
  return map;
}

/**
 * The dispatcher every Duo request goes through: guarded direct connections, or CONNECT through a proxy
 * with TLS still verified end to end against the same CA list. Redirects are never followed (undici's
 * plain dispatch has no redirect handling; the client turns a 3xx into an error).
 */
export class DuoDispatcher extends Dispatcher {
  private readonly direct: Agent;
  private readonly proxied: ProxyAgent | undefined;
  private readonly noProxy: readonly string[];
  private readonly pinned: ReadonlyMap<string, ResolveTarget>;

  constructor(options: DuoTransportOptions = {}) {
    super();
    this.pinned = checkResolveMap(options);
    const ca = trustedCas(options);
    const timeout = options.connectTimeoutMs ?? 10_000;
    const base = buildConnector({ ...(ca === undefined ? {} : { ca }), timeout });
    this.direct = new Agent({
      connect: createGuardedConnector({
        resolver: options.resolver ?? systemResolver,
        base,
        resolveMap: this.pinned,
        allowPrivateAddresses: options.allowPrivateAddresses === true,
      }),
    });
    const proxy = options.proxy ?? undefined;
    if (proxy !== undefined) {
      let url: URL;
      try {
        url = new URL(proxy.url);
      } catch (error) {
        throw new DuoConfigError('duo_invalid_proxy', 'proxy URL is not a URL', error);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new DuoConfigError(
          'duo_invalid_proxy',
          `proxy URL must be http:// or https://, not ${url.protocol}`,
        );
      // Through a proxy the proxy resolves the name, so our DNS guard cannot see the address it dials; what
      // still holds is TLS to the hostname against the same pinned roots (docs/duo-client.md, "Proxies").
      this.proxied = new ProxyAgent({
        uri: url.href,
        requestTls: { ...(ca === undefined ? {} : { ca }), timeout },
        proxyTunnel: true,
      });
    }
    this.noProxy = proxy?.noProxy ?? [];
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = options.origin === undefined ? undefined : new URL(String(options.origin));
    if (origin?.protocol !== 'https:') {
      throw new DuoConfigError('duo_https_only', 'Duo requests must use HTTPS');
    }
    const host = origin.hostname.toLowerCase();
    const useProxy =
      this.proxied !== undefined && !this.pinned.has(host) && !bypassesProxy(host, this.noProxy);
    return (useProxy && this.proxied !== undefined ? this.proxied : this.direct).dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.direct.close(), this.proxied?.close()]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.direct.destroy(), this.proxied?.destroy()]);
  }
}
