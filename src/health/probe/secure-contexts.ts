import { createSecureContext, type SecureContext } from 'node:tls';
import { trustedCas, type DuoTransportOptions } from '../../duo/index.js';

/**
 * One TLS secure context per transport configuration, shared by the probes of one monitor. Building a context
 * parses every trusted root; doing it for each of a probe's two connections was the largest CPU cost of a
 * probe and blocked the event loop (docs/health.md, "Numbers"). Sharing the context shares only the trust
 * store: each probe still dials a new connection and makes a full handshake (no TLS session is reused).
 */
export class SecureContexts {
  readonly #byTransport = new WeakMap<DuoTransportOptions, SecureContext | null>();

  for(transport: DuoTransportOptions): SecureContext | undefined {
    let context = this.#byTransport.get(transport);
    if (context === undefined) {
      const ca = trustedCas(transport);
      context = ca === undefined ? null : createSecureContext({ ca });
      this.#byTransport.set(transport, context);
    }
    return context ?? undefined;
  }
}
