import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalCa, issueServerCertificate, type LocalCa, type ServerCertificate } from './local-ca.js';

/** The slice of node:fs/promises the TLS directory needs (injected so tests can use a temp dir or fake). */
export interface TlsFs {
  mkdir(path: string, options: { recursive: true; mode?: number }): Promise<unknown>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, options?: { mode?: number }): Promise<void>;
}

const nodeFs: TlsFs = { mkdir, readFile, writeFile };

export interface TlsMaterial {
  ca: LocalCa;
  server: ServerCertificate;
  /** Where the CA PEM was written: point a client's CA option or NODE_EXTRA_CA_CERTS here. */
  caFile: string;
}

async function readOptional(fs: TlsFs, path: string): Promise<string | null> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Loads the CA from `dir` (ca.pem + ca-key.pem) or creates and stores one, so a client trusts the same CA
 * across restarts; the server certificate is issued fresh each start so it can cover new tenant hostnames.
 */
export async function prepareTls(options: {
  dir: string;
  dnsNames?: readonly string[];
  fs?: TlsFs;
  now?: Date;
}): Promise<TlsMaterial> {
  const fs = options.fs ?? nodeFs;
  await fs.mkdir(options.dir, { recursive: true, mode: 0o700 });
  const caFile = join(options.dir, 'ca.pem');
  const keyFile = join(options.dir, 'ca-key.pem');
  const [certPem, keyPem] = await Promise.all([readOptional(fs, caFile), readOptional(fs, keyFile)]);
  let ca: LocalCa;
  if (certPem !== null && keyPem !== null) {
    ca = { certPem, keyPem };
  } else {
    ca = await createLocalCa(options.now === undefined ? {} : { now: options.now });
    await fs.writeFile(keyFile, ca.keyPem, { mode: 0o600 });
    await fs.writeFile(caFile, ca.certPem, { mode: 0o644 });
  }
  const server = await issueServerCertificate(ca, {
    ...(options.dnsNames === undefined ? {} : { dnsNames: options.dnsNames }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { ca, server, caFile };
}
