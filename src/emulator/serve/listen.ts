import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { createAdaptorServer } from '@hono/node-server';
import { issueServerCertificate, type TlsMaterial } from '../tls/index.js';

function covers(pattern: string, name: string): boolean {
  if (pattern.startsWith('*.')) {
    const dot = name.indexOf('.');
    return dot > 0 && name.slice(dot + 1) === pattern.slice(2);
  }
  return pattern === name;
}

/**
 * Names outside the startup certificate (a tenant created later through the control API with its own
 * hostname) get a certificate from the same local CA on first use, so clients trusting the CA still connect.
 */
function sniCallback(
  tls: TlsMaterial,
): (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void {
  const base = createSecureContext({ key: tls.server.keyPem, cert: tls.server.certPem });
  const issued = new Map<string, Promise<SecureContext>>();
  return (servername, cb) => {
    const name = servername.toLowerCase();
    if (name === '' || tls.server.dnsNames.some((p) => covers(p, name))) {
      cb(null, base);
      return;
    }
    let ctx = issued.get(name);
    if (ctx === undefined) {
      ctx = issueServerCertificate(tls.ca, { dnsNames: [name] }).then((c) =>
        createSecureContext({ key: c.keyPem, cert: c.certPem }),
      );
      issued.set(name, ctx);
    }
    ctx.then(
      (c) => cb(null, c),
      (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
    );
  };
}

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
    serverOptions: { key: tls.server.keyPem, cert: tls.server.certPem, SNICallback: sniCallback(tls) },
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
        // server.close() waits for keep-alive sockets; drop them first (docs/toolchain.md).
        const s = server as unknown as { closeAllConnections?: () => void };
        s.closeAllConnections?.();
        server.close((err) => (err === undefined ? resolve() : reject(err)));
      }),
  };
}
