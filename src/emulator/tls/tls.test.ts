import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createLocalCa, issueServerCertificate, prepareTls } from './index.js';

function get(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(
      { host: '127.0.0.1', port, servername, ca, headers: { host: servername } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
  });
}

describe('local CA', () => {
  it('issues a *.duosecurity.com certificate a client trusting only the CA accepts', async () => {
    const ca = await createLocalCa();
    const server = await issueServerCertificate(ca, { dnsNames: ['api-child.example.test'] });
    const leaf = new X509Certificate(server.certPem);
    expect(leaf.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(leaf.subjectAltName).toContain('DNS:*.duosecurity.com');
    expect(leaf.subjectAltName).toContain('DNS:api-child.example.test');
    const srv = createServer({ cert: server.certPem, key: server.keyPem }, (_q, r) => r.end('ok'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as AddressInfo;
    try {
      expect(await get(port, 'api-abcd1234.duosecurity.com', ca.certPem)).toBe('ok');
      expect(await get(port, 'api-child.example.test', ca.certPem)).toBe('ok');
      // A name outside the certificate fails hostname verification.
      await expect(get(port, 'evil.example.com', ca.certPem)).rejects.toThrow();
      // A client that does not trust our CA refuses the connection.
      const other = await createLocalCa();
      await expect(get(port, 'api-abcd1234.duosecurity.com', other.certPem)).rejects.toThrow();
    } finally {
      srv.close();
    }
  });

  it('stores the CA in a directory and reloads it on the next start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-tls-'));
    try {
      const a = await prepareTls({ dir });
      const b = await prepareTls({ dir, dnsNames: ['api-new.duosecurity.com'] });
      expect(b.ca.certPem).toBe(a.ca.certPem);
      expect(await readFile(a.caFile, 'utf8')).toBe(a.ca.certPem);
      expect(b.server.dnsNames).toContain('api-new.duosecurity.com');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
