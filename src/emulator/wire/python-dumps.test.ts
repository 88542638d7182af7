import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pythonJson } from '../../duo/sign/index.js';
import { pythonDumps, slowDumps } from './python-dumps.js';

describe('pythonDumps', () => {
  it('is byte-identical to the shared pythonJson (default separators) on arbitrary JSON', () => {
    const text = fc.string({ unit: 'binary' });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        text,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(text, tie('node'), { maxKeys: 4 }),
        fc.dictionary(fc.constantFrom('a', 'b', 'é', '😀', '10', '9', '01', 'x:y', 'x,y'), tie('node'), {
          maxKeys: 4,
        }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const expected = pythonJson(v, { compact: false });
        expect(pythonDumps(v)).toBe(expected);
        expect(slowDumps(v)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('escapes like Python: controls, quotes, DEL, non-ASCII, astral pairs, U+2028', () => {
    const v = { é: 'a"b\\c\n\t\u0001\u007f€😀\u2028', a: [1.5, 1e16, -0.0001, 1e-5] };
    expect(pythonDumps(v)).toBe(
      '{"a": [1.5, 1e+16, -0.0001, 1e-05], "\\u00e9": "a\\"b\\\\c\\n\\t\\u0001\\u007f\\u20ac\\ud83d\\ude00\\u2028"}',
    );
  });
});
