import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface FetchApp {
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
}

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the app on host:port (port 0 picks a free one). close() drops keep-alive sockets first: hono's
 * node server otherwise waits for every idle browser connection before it finishes (docs/toolchain.md).
 */
export function listen(app: FetchApp, opts: { host?: string; port?: number } = {}): Promise<Listening> {
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolvePromise, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: host, port: opts.port ?? 8080 },
      (info: AddressInfo) => {
        const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolvePromise({
          url: `http://${shown}:${info.port}`,
          close: () =>
            new Promise<void>((done, fail) => {
              const http = server as Server;
              http.close((err) => (err ? fail(err) : done()));
              http.closeIdleConnections();
              http.closeAllConnections();
            }),
        });
      },
    );
    server.once('error', reject);
  });
}
