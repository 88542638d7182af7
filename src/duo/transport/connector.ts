import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { buildConnector } from 'undici';
import {
  ForbiddenAddressError,
  vetAddresses,
  forbiddenAddressReason,
  type ResolvedAddress,
} from './address-guard.js';

/** Narrow DNS dependency: every answer for a name (injected in tests to play rebinding games). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** `curl --resolve`-style pin for the emulator: hostname → address:port (docs/duo-client.md). */
export interface ResolveTarget {
  address: string;
  port: number;
}

export interface GuardedConnectorOptions {
  resolver: Resolver;
  /** The TLS connector that actually dials (undici's buildConnector with our CA list). */
  base: buildConnector.connector;
  resolveMap: ReadonlyMap<string, ResolveTarget>;
  allowPrivateAddresses: boolean;
}

/**
 * An undici connector that resolves the name itself at connect time, refuses forbidden answers, and dials
 * the vetted address with SNI (and certificate checks) for the hostname — so nothing re-resolves between the
 * check and the connection. Literal IPs are refused: Duo hosts are names (undici skips `lookup` for literal
 * IPs, docs/toolchain.md, which is why the guard wraps the connector rather than using `connect.lookup`).
 */
export function createGuardedConnector(opts: GuardedConnectorOptions): buildConnector.connector {
  return (connectOptions, callback) => {
    const hostname = connectOptions.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const dial = (address: string, port: string): void => {
      opts.base({ ...connectOptions, hostname: address, port, servername: hostname }, callback);
    };
    if (isIP(hostname) !== 0) {
      callback(
        new ForbiddenAddressError(hostname, hostname, 'a literal IP address; Duo API hosts are names'),
        null,
      );
      return;
    }
    const pinned = opts.resolveMap.get(hostname);
    if (pinned !== undefined) {
      // The one path that may lead to loopback/private space, and only when explicitly allowed.
      const why = forbiddenAddressReason(pinned.address);
      if (why !== null && !opts.allowPrivateAddresses) {
        callback(
          new ForbiddenAddressError(
            hostname,
            pinned.address,
            `${why} (resolve override without allowPrivateAddresses)`,
          ),
          null,
        );
        return;
      }
      dial(pinned.address, String(pinned.port));
      return;
    }
    opts
      .resolver(hostname)
      .then((answers) => {
        const vetted = vetAddresses(hostname, answers);
        const first = vetted[0];
        if (first === undefined) throw new Error(`DNS returned no address for ${hostname}`);
        dial(first.address, connectOptions.port);
      })
      .catch((error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)), null);
      });
  };
}
