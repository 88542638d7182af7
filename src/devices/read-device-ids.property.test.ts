import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDeviceIds } from './read-device-ids.js';
import { DevicesInputError } from './errors.js';

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${String(n)}}$`));
const uuid = fc
  .tuple(hex(8), hex(4), hex(4), hex(4), hex(12))
  .map((p) => p.join('-'))
  .filter(
    (u) => u !== '00000000-0000-0000-0000-000000000000' && u !== 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  );

/** How a valid identifier may be written in a CSV cell. */
const cell = fc.tuple(uuid, fc.constantFrom('plain', 'quoted', 'spaced', 'upper')).map(([u, how]) => ({
  u,
  text: how === 'quoted' ? `"${u}"` : how === 'spaced' ? `  ${u} ` : how === 'upper' ? u.toUpperCase() : u,
}));

describe('CSV reader properties', () => {
  it('finds every valid identifier, whatever the BOM, line endings and blank lines', () => {
    fc.assert(
      fc.property(
        fc.array(cell, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(40), { maxLength: 5 }),
        (cells, bom, eol, blanks) => {
          const lines = cells.map((c) => c.text);
          for (const b of blanks) lines.splice(Math.min(b, lines.length), 0, '');
          const csv = `${bom ? '\uFEFF' : ''}device_id${eol}${lines.join(eol)}${eol}`;
          const list = readDeviceIds(Buffer.from(csv, 'utf8'), { os: 'windows' });
          const unique = [...new Set(cells.map((c) => c.u.toLowerCase()))];
          expect(list.ids).toEqual(unique);
          expect(list.ids.length + list.duplicates.length).toBe(cells.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('on arbitrary bytes gives a clear error or a parse that accounts for every record, never a crash', () => {
    const noise = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc
        .array(
          fc.oneof(
            uuid,
            fc.constantFrom(
              '"',
              '""',
              ',',
              '\n',
              '\r\n',
              '\0',
              '\uFEFF',
              ' ',
              'device_id',
              '\u00e9',
              '\ud83d\ude00',
            ),
            fc.string({ maxLength: 20 }),
          ),
          { maxLength: 60 },
        )
        .map((parts) => Buffer.from(`device_id\n${parts.join('')}`, 'utf8')),
      fc
        .tuple(fc.array(uuid, { maxLength: 10 }), fc.nat(2000))
        .map(([ids, n]) =>
          Buffer.concat([
            Buffer.from(`device_id\n${ids.join('\n')}\n`),
            Buffer.alloc(n, 0x41),
            Buffer.from([0xc3]),
          ]),
        ),
    );
    fc.assert(
      fc.property(noise, fc.boolean(), (bytes, skipInvalid) => {
        try {
          const list = readDeviceIds(bytes, { os: null, skipInvalid });
          // Nothing vanishes: each record is an id, a duplicate or a reported rejection.
          expect(list.ids.length + list.duplicates.length + list.rejected.length).toBe(list.records);
          expect(list.ids.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(DevicesInputError);
          expect((error as DevicesInputError).code).toMatch(/^[a-z_]+$/);
        }
      }),
      { numRuns: 400 },
    );
  });
});
