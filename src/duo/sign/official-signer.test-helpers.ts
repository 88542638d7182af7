import { createRequire } from 'node:module';

/** Duo's official Node client's signing functions (@duosecurity/duo_api 1.5.0, lib/duo_sig.js): the test oracle and benchmark baseline. */
export interface OfficialSigner {
  sign(
    ikey: string,
    skey: string,
    method: string,
    host: string,
    path: string,
    params: object,
    date: string,
  ): string;
  signV5(
    ikey: string,
    skey: string,
    method: string,
    host: string,
    path: string,
    params: object,
    date: string,
    body: string,
  ): string;
}

export const officialSigner = createRequire(import.meta.url)(
  '@duosecurity/duo_api/lib/duo_sig.js',
) as OfficialSigner;
