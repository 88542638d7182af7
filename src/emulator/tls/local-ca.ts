import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * A throwaway local certificate authority for the emulator (docs/emulator.md): official clients verify
 * TLS, so the emulator serves a certificate for `*.duosecurity.com` signed by a CA the client is told to
 * trust (a CA file, NODE_EXTRA_CA_CERTS, an Agent's `ca`). ECDSA P-256 keeps generation fast (~ms).
 */
export interface LocalCa {
  /** PEM of the CA certificate: what a client trusts. */
  certPem: string;
  /** PKCS#8 PEM of the CA private key (kept so a data directory can reload the same CA). */
  keyPem: string;
}

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  /** Subject alternative names the certificate covers. */
  dnsNames: string[];
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/**
 * @peculiar/x509 types its crypto provider with the DOM's global `Crypto`, which this Node-only project's
 * lib settings do not declare; Node's webcrypto is that provider at runtime.
 */
function provider(): never {
  return webcrypto as never;
}

function serial(): string {
  // Positive 16-byte serial (top bit clear), as RFC 5280 asks.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

export async function createLocalCa(options: { commonName?: string; now?: Date } = {}): Promise<LocalCa> {
  const crypto = webcrypto;
  const x509Crypto = provider();
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = options.now ?? new Date();
  const name = `CN=${options.commonName ?? 'duowatch emulator local CA'}, O=duowatch`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name,
      notBefore: new Date(now.getTime() - DAY_MS),
      notAfter: new Date(now.getTime() + 3650 * DAY_MS),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, x509Crypto),
      ],
    },
    x509Crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}

/**
 * A server certificate for the given DNS names (default `*.duosecurity.com` and `duosecurity.com`) plus
 * 127.0.0.1/::1, signed by `ca`. A wildcard covers `api-xxxxxxxx.duosecurity.com`, the shape of every Duo
 * API hostname; extra names cover tenants whose hostnames are elsewhere.
 */
export async function issueServerCertificate(
  ca: LocalCa,
  options: { dnsNames?: readonly string[]; now?: Date } = {},
): Promise<ServerCertificate> {
  const crypto = webcrypto;
  const x509Crypto = provider();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await crypto.subtle.importKey('pkcs8', fromPem(ca.keyPem), ALG, false, ['sign']);
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = options.now ?? new Date();
  // `localhost` (and `127.0.0.1` as a DNS name too: Duo's Python client 4.x matches only DNS entries) so a
  // client pointed at a loopback name verifies the certificate.
  const dnsNames = [
    ...new Set([
      '*.duosecurity.com',
      'duosecurity.com',
      ...(options.dnsNames ?? []),
      'localhost',
      '127.0.0.1',
    ]),
  ];
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial(),
      subject: `CN=${dnsNames[0] ?? '*.duosecurity.com'}`,
      issuer: caCert.subject,
      notBefore: new Date(now.getTime() - DAY_MS),
      // 397 days: the longest validity TLS clients accept for a leaf.
      notAfter: new Date(now.getTime() + 397 * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(
          [
            ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
            { type: 'ip' as const, value: '127.0.0.1' },
            { type: 'ip' as const, value: '::1' },
          ],
          false,
        ),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false, x509Crypto),
      ],
    },
    x509Crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: toPem(pkcs8, 'PRIVATE KEY'), dnsNames };
}
