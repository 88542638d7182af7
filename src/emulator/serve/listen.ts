import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { createAdaptorServer } from '@hono/node-server';
import type { TlsMaterial } from '../tls/index.js';

export interface ListenOptions {
  port?: number;
  /** Default 127.0.0.1: the emulator is a local tool and never listens beyond loopback unless asked. */
  host?: string;
}

export interface Listening {
  address: string;
  port: number;
  caFile: string;
  close(): Promise<void>;
}

/** Serves a fetch handler over real TLS with @hono/node-server on node:https. */
export async function listenTls(
  fetch: (req: Request, env: unknown) => Promise<Response> | Response,
  tls: TlsMaterial,
  options: ListenOptions = {},
): Promise<Listening> {
  const server = createAdaptorServer({
    fetch: fetch,
    createServer: createHttpsServer,
    serverOptions: { key: tls.server.keyPem, cert: tls.server.certPem },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    address: addr.address,
    port: addr.port,
    caFile: tls.caFile,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // server.close() waits for keep-alive sockets; drop them first (toolchain.md).
        const s = server as unknown as { closeAllConnections?: () => void };
        s.closeAllConnections?.();
        server.close((err) => (err === undefined ? resolve() : reject(err)));
      }),
  };
}
