import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { createServices, DuoClients } from '../services/index.js';
import { harness, type Harness } from './harness.test-helpers.js';
import type { CreateServerAppOptions } from './app.js';

/**
 * The emulator over real TLS on loopback and Duo clients pinned to it: one per test file (beforeAll), shared
 * by every server built with `server()`, each over its own fresh SQLite store and the REAL services.
 */
export interface RealDuo {
  emulator: Emulator;
  creds: TenantCredentials;
  clients: DuoClients;
  /** A server over the real services on this emulator (fake clock unless `realClock`). */
  server(over?: { options?: Partial<CreateServerAppOptions>; realClock?: boolean }): Promise<Harness>;
  close(): Promise<void>;
}

export async function realDuo(seed = 'server-security'): Promise<RealDuo> {
  const dir = mkdtempSync(join(tmpdir(), 'duowatch-real-duo-'));
  const emulator = await createEmulator({ seed, users: 10, rateLimit: false });
  const listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
  const creds = emulator.credentials()[0];
  if (creds === undefined) throw new Error('emulator has no tenant');
  const clients = new DuoClients({
    transport: {
      resolve: { [creds.hostname]: { address: listening.address, port: listening.port } },
      extraCaPem: [readFileSync(listening.caFile, 'utf8')],
      allowPrivateAddresses: true,
    },
    ratesPerMinute: { auth_log: 6000, log: 6000 },
  });
  const open: Harness[] = [];
  return {
    emulator,
    creds,
    clients,
    async server(over = {}) {
      const h = await harness({
        services: (store, clock) =>
          createServices({ store, clients, clock: { now: () => clock().getTime() } }),
        ...over,
      });
      open.push(h);
      return h;
    },
    async close() {
      for (const h of open.splice(0)) await h.close();
      await clients.close();
      await listening.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
