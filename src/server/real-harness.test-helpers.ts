import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { DuoClients, type NewIntegration } from '../services/index.js';
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
  /** The tenant's Admin API keys as the Integrations form takes them: they pass Test before Save. */
  candidate: NewIntegration & { kind: 'admin' };
  /** A server over the real services on this emulator (fake clock unless `realClock`). */
  server(over?: { options?: Partial<CreateServerAppOptions>; realClock?: boolean }): Promise<Harness>;
  close(): Promise<void>;
}

export async function realDuo(seed = 'server-security', users = 10): Promise<RealDuo> {
  const dir = mkdtempSync(join(tmpdir(), 'duowatch-real-duo-'));
  const emulator = await createEmulator({ seed, users, rateLimit: false });
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
    candidate: { kind: 'admin', apiHost: creds.hostname, ikey: creds.admin.ikey, skey: creds.admin.skey },
    async server(over = {}) {
      const h = await harness({ clients, ...over });
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
