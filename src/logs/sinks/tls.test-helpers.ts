import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createLocalCa, issueServerCertificate } from '../../emulator/index.js';
import type { LocalCa } from '../../emulator/index.js';

/** A test PKI: a CA, a server certificate for localhost/127.0.0.1, and a client certificate (mutual TLS). */
export interface TestPki {
  readonly ca: LocalCa;
  readonly server: { certPem: string; keyPem: string };
  readonly client: { certPem: string; keyPem: string };
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pem(der: ArrayBuffer, label: string): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export async function createTestPki(): Promise<TestPki> {
  const ca = await createLocalCa({ commonName: 'duowatch sink test CA' });
  const server = await issueServerCertificate(ca, { dnsNames: ['syslog.test'] });
  // @peculiar/x509 is typed against the DOM's Crypto; Node's webcrypto is that provider at runtime.
  const provider = webcrypto as never;
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    Buffer.from(ca.keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'),
    ALG,
    false,
    ['sign'],
  );
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '01' + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
      subject: 'CN=duowatch-collector',
      issuer: caCert.subject,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 30 * 86_400_000),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'duowatch-collector' }], false),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false, provider),
      ],
    },
    provider,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    ca,
    server: { certPem: server.certPem, keyPem: server.keyPem },
    client: { certPem: cert.toString('pem') + '\n', keyPem: pem(pkcs8, 'PRIVATE KEY') },
  };
}
