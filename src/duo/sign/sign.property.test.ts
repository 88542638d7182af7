/**
 * Our signer against Duo's official Node client (@duosecurity/duo_api 1.5.0, lib/duo_sig.js), on thousands of
 * generated requests, restricted to inputs where Node's client agrees with Python's (docs/duo-wire.md §1):
 * - keys use only unreserved ASCII (`A-Z a-z 0-9 - . _ ~`), so Node's raw-key sort equals Python's
 *   encoded-key sort;
 * - repeated values are handed to Node already sorted by their encoded form (Node keeps array order,
 *   Python sorts);
 * - v5 JSON bodies have keys inserted in sorted order and ASCII-only strings, where `JSON.stringify` writes
 *   exactly Python's `json.dumps(sort_keys=True, separators=(',', ':'))`;
 * - JSON keys are not array indices ("0", "17"): JavaScript objects list those first whatever the insertion
 *   order, so JSON.stringify cannot write them sorted;
 * - hosts carry no port (Node does not strip one).
 * Values may be any Unicode text (UTF-8 percent-encoding agrees).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints, percentEncode, pythonJson, signRequest } from './index.js';
import { officialSigner } from './official-signer.test-helpers.js';

const official = officialSigner;

const RUNS = 2000;
const unreservedKey = fc.stringMatching(/^[A-Za-z0-9\-._~]{1,12}$/);
const anyText = fc.string({ unit: 'grapheme', maxLength: 16 });
const sortedValues = fc
  .array(anyText, { minLength: 1, maxLength: 4 })
  .map((vs) =>
    [...vs].sort((a, b) =>
      percentEncode(a) < percentEncode(b) ? -1 : percentEncode(a) > percentEncode(b) ? 1 : 0,
    ),
  );
const paramValue = fc.oneof(anyText, sortedValues);
const queryParams = fc.dictionary(unreservedKey, paramValue, { maxKeys: 8 });
const host = fc
  .tuple(
    fc.stringMatching(/^[a-zA-Z0-9]{1,10}$/),
    fc.constantFrom('.duosecurity.com', '.DuoSecurity.com', '.example.org'),
  )
  .map(([a, b]) => `api-${a}${b}`);
const path = fc.stringMatching(/^\/[A-Za-z0-9_%/.-]{0,30}$/);
const date = fc.oneof(
  fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.string({ maxLength: 40 }),
);
const ikey = fc.stringMatching(/^DI[A-Z0-9]{18}$/);
const skey = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 });

/** JSON objects whose JSON.stringify equals Python's sorted compact json.dumps. */
const asciiText = fc.string({ unit: 'grapheme-ascii', maxLength: 12 });
const jsonKey = asciiText.filter((k) => !/^(0|[1-9][0-9]*)$/.test(k));
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    asciiText,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(jsonKey, tie('v'), { maxKeys: 3 }).map(sortKeys),
  ),
})).v;
function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => compareCodePoints(a, b)));
}
const jsonParams = fc.dictionary(jsonKey, jsonValue, { maxKeys: 6 }).map(sortKeys);

describe('signRequest agrees with @duosecurity/duo_api 1.5.0', () => {
  it(`v2 (query and form) on ${String(RUNS)} generated requests`, () => {
    fc.assert(
      fc.property(
        ikey,
        skey,
        fc.constantFrom('GET', 'get', 'POST', 'DELETE', 'PUT'),
        host,
        path,
        queryParams,
        date,
        (ik, sk, method, h, p, params, d) => {
          const ours = signRequest({
            ikey: ik,
            skey: sk,
            method,
            host: h,
            path: p,
            params,
            date: d,
            sigVersion: 2,
          });
          expect(ours.authorization).toBe(official.sign(ik, sk, method, h, p, params, d));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`v5 GET/DELETE with query params on ${String(RUNS)} generated requests`, () => {
    fc.assert(
      fc.property(
        ikey,
        skey,
        fc.constantFrom('GET', 'DELETE'),
        host,
        path,
        queryParams,
        date,
        (ik, sk, method, h, p, params, d) => {
          const ours = signRequest({
            ikey: ik,
            skey: sk,
            method,
            host: h,
            path: p,
            params,
            date: d,
            sigVersion: 5,
          });
          expect(ours.body).toBeNull();
          expect(ours.authorization).toBe(official.signV5(ik, sk, method, h, p, params, d, ''));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`v5 JSON bodies on ${String(RUNS)} generated requests`, () => {
    fc.assert(
      fc.property(
        ikey,
        skey,
        fc.constantFrom('POST', 'PUT', 'PATCH'),
        host,
        path,
        jsonParams,
        date,
        (ik, sk, method, h, p, params, d) => {
          const ours = signRequest({
            ikey: ik,
            skey: sk,
            method,
            host: h,
            path: p,
            params,
            date: d,
            sigVersion: 5,
          });
          // The official client does exactly this for v5 POST/PUT/PATCH (lib/main.js apiCall).
          const nodeBody = JSON.stringify(params);
          expect(ours.body).toBe(nodeBody);
          expect(pythonJson(params, { compact: true })).toBe(nodeBody);
          expect(ours.authorization).toBe(official.signV5(ik, sk, method, h, p, {}, d, nodeBody));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
