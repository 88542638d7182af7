import {
  createDuoClient,
  DuoDispatcher,
  LimiterRegistry,
  type DuoClient,
  type DuoClientOptions,
  systemClock,
  type DuoTransportOptions,
  type LimiterRegistryOptions,
} from '../duo/index.js';
import type { Store } from '../store/index.js';
import { ServiceError } from '../shared/index.js';

export interface DuoClientsOptions {
  transport: DuoTransportOptions;
  /** Retry, timeouts and the like, applied to every client. */
  client?: Partial<Pick<DuoClientOptions, 'retry' | 'timeoutMs' | 'sigVersion' | 'clock' | 'random' | 'log'>>;
  /** Client-side budget per credential and endpoint class; default Duo's published limits (docs/duo-client.md). */
  ratesPerMinute?: LimiterRegistryOptions['ratesPerMinute'];
}

/**
 * Builds Duo clients for stored integrations. One guarded dispatcher (connection pool, DNS guard, pinned
 * roots) and one limiter registry serve every client in the process, so concurrent jobs share Duo's budget
 * per credential (docs/duo-client.md).
 */
export class DuoClients {
  readonly #dispatcher: DuoDispatcher;
  readonly #limiter: LimiterRegistry;
  readonly #options: DuoClientsOptions;

  constructor(options: DuoClientsOptions) {
    this.#options = options;
    this.#dispatcher = new DuoDispatcher(options.transport);
    this.#limiter = new LimiterRegistry({
      clock: options.client?.clock ?? systemClock,
      ...(options.ratesPerMinute === undefined ? {} : { ratesPerMinute: options.ratesPerMinute }),
    });
  }

  /** The transport every client uses (health probes build their own timed connections over it). */
  get transportOptions(): DuoTransportOptions {
    return this.#options.transport;
  }

  /** A client for explicit credentials (Test before Save on a candidate that is not stored yet). */
  forCredentials(
    creds: { host: string; ikey: string; skey: string },
    extra: Pick<DuoClientOptions, 'ratesPerMinute'> = {},
  ): DuoClient {
    return createDuoClient({
      ...this.#options.client,
      ...extra,
      host: creds.host,
      ikey: creds.ikey,
      skey: creds.skey,
      dispatcher: this.#dispatcher,
      limiter: this.#limiter,
    });
  }

  /** Decrypts the stored keys at the moment of use; the plain text lives only inside the client. */
  async forIntegration(
    store: Store,
    orgId: string,
    integrationId: string,
    extra: Pick<DuoClientOptions, 'ratesPerMinute'> = {},
  ): Promise<DuoClient> {
    const creds = await store.integrations.credentials(orgId, integrationId);
    if (creds === undefined) throw new ServiceError('not_found', `integration ${integrationId} not found`);
    return this.forCredentials(
      { host: creds.apiHost, ikey: creds.ikey.reveal(), skey: creds.skey.reveal() },
      extra,
    );
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}
