import { readFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { describe, expect, it } from 'vitest';
import { createEmulator } from '../index.js';

function ping(port: number, host: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpsGet(
      { host: '127.0.0.1', port, servername: host, ca, path: '/auth/v2/ping', headers: { host } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    ).on('error', reject);
  });
}

describe('listen', () => {
  it('serves TLS on 127.0.0.1 and certifies hostnames of tenants created after start', async () => {
    const emu = await createEmulator({ seed: 'listen', users: 2 });
    const server = await emu.listen({ port: 0 });
    try {
      expect(server.address).toBe('127.0.0.1');
      const ca = await readFile(server.caFile, 'utf8');
      const first = emu.credentials()[0]?.hostname ?? '';
      expect((await ping(server.port, first, ca)).status).toBe(200);
      emu.control.createTenant({ hostname: 'duo.internal.example' });
      const late = await ping(server.port, 'duo.internal.example', ca);
      expect(late.status).toBe(200);
      expect(late.body).toMatch(/"stat": "OK"/);
    } finally {
      await server.close();
    }
  });
});
