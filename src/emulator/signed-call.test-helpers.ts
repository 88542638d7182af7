import { signRequest, type SigVersion, type SigDigest } from '../duo/sign/index.js';
import type { EmulatorApp } from './create-emulator.js';

export interface KeyPair {
  ikey: string;
  skey: string;
}

export interface CallOptions {
  v?: SigVersion;
  digest?: SigDigest;
  host: string;
  date?: Date | string;
  headers?: Record<string, string>;
}

/** Signs like the Python client (v5 default) and calls the emulator in-process. Test helper only. */
export async function signedCall(
  app: EmulatorApp,
  key: KeyPair,
  method: string,
  path: string,
  params: Record<string, string | string[]>,
  options: CallOptions,
): Promise<{ status: number; text: string; headers: Headers; json: () => unknown }> {
  const s = signRequest({
    ikey: key.ikey,
    skey: key.skey,
    method,
    host: options.host,
    path,
    params,
    sigVersion: options.v ?? 5,
    ...(options.digest === undefined ? {} : { digest: options.digest }),
    ...(options.date === undefined ? {} : { date: options.date }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  const body = s.body ?? s.form ?? undefined;
  // Python always appends `?` to GET/DELETE paths, even with no params.
  const url = `https://${options.host}${path}${method === 'GET' || method === 'DELETE' ? '?' + s.query : ''}`;
  const res = await app.request(url, { method, headers: s.headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) as unknown };
}
