import { readFileSync } from 'node:fs';
import { DuoConfigError } from '../errors/index.js';
import type { DuoTransportOptions } from './dispatcher.js';
import { proxyFromEnv } from './proxy.js';

export type ReadTextFile = (path: string) => string;

const defaultRead: ReadTextFile = (path) => readFileSync(path, 'utf8');

/** Parses `host=address:port,host2=[::1]:port` (DUOWATCH_DUO_RESOLVE). */
export function parseResolveList(text: string): Record<string, { address: string; port: number }> {
  const out: Record<string, { address: string; port: number }> = {};
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^([^=\s]+)=(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(entry);
    const host = m?.[1];
    const address = m?.[2] ?? m?.[3];
    if (m === null || host === undefined || address === undefined)
      throw new DuoConfigError(
        'duo_invalid_resolve',
        `DUOWATCH_DUO_RESOLVE entry ${JSON.stringify(entry)} is not hostname=address:port`,
      );
    out[host.toLowerCase()] = { address, port: Number(m[4]) };
  }
  return out;
}

/**
 * Transport options from the environment (docs/duo-client.md): DUOWATCH_DUO_RESOLVE, DUOWATCH_DUO_CA_FILE,
 * DUOWATCH_ALLOW_PRIVATE_ADDRESSES=true, HTTPS_PROXY/NO_PROXY. Config-file settings are merged over these by
 * the caller.
 */
export function duoTransportOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  readTextFile: ReadTextFile = defaultRead,
): DuoTransportOptions {
  const options: DuoTransportOptions = {};
  const resolve = env['DUOWATCH_DUO_RESOLVE'];
  if (resolve !== undefined && resolve.trim() !== '') options.resolve = parseResolveList(resolve);
  const caFile = env['DUOWATCH_DUO_CA_FILE'];
  if (caFile !== undefined && caFile.trim() !== '') {
    let pem: string;
    try {
      pem = readTextFile(caFile);
    } catch (error) {
      throw new DuoConfigError(
        'duo_invalid_ca',
        `cannot read DUOWATCH_DUO_CA_FILE ${JSON.stringify(caFile)}`,
        error,
      );
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      throw new DuoConfigError(
        'duo_invalid_ca',
        `DUOWATCH_DUO_CA_FILE ${JSON.stringify(caFile)} holds no PEM certificate`,
      );
    options.extraCaPem = [pem];
  }
  const allow = env['DUOWATCH_ALLOW_PRIVATE_ADDRESSES'];
  if (allow !== undefined && allow !== '' && allow !== 'true' && allow !== 'false')
    throw new DuoConfigError('duo_invalid_env', 'DUOWATCH_ALLOW_PRIVATE_ADDRESSES must be true or false');
  if (allow === 'true') options.allowPrivateAddresses = true;
  const proxy = proxyFromEnv(env);
  if (proxy !== undefined) options.proxy = proxy;
  return options;
}
