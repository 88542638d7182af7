import { describe, expect, it } from 'vitest';
import { readDeviceIds, type DeviceList } from './read-device-ids.js';
import { DevicesInputError } from './errors.js';

const W = (i: number): string => `${i.toString(16).padStart(8, '0')}-7921-4d8a-ae8c-1b605ad58903`;

function refused(fn: () => unknown): DevicesInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DevicesInputError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('readDeviceIds', () => {
  it('reads the device-id CSV as specified: BOM, CRLF, quotes, blank lines, trimming, case-insensitive duplicates', () => {
    const csv = `\uFEFFdevice_id\r\n ${W(1).toUpperCase()} \r\n\r\n"${W(2)}"\r\n${W(1)}\r\n`;
    const list = readDeviceIds(Buffer.from(csv, 'utf8'), { os: 'windows' });
    expect(list.ids).toEqual([W(1), W(2)]);
    expect(list.duplicates).toEqual([{ line: 5, value: W(1), firstLine: 2 }]);
    expect(list.records).toBe(3);
    expect(list.format).toBe('csv');
  });

  it('keeps macOS identifiers upper case and accepts a Linux machine-id', () => {
    const mac = readDeviceIds('device_id\n942477a1-f1c1-58b2-a2d2-b8ca8da1a671\n', { os: 'macos' });
    expect(mac.ids).toEqual(['942477A1-F1C1-58B2-A2D2-B8CA8DA1A671']);
    const linux = readDeviceIds('device_id\n3669cf64356111eebe560242ac120002\n', { os: 'linux' });
    expect(linux.ids).toEqual(['3669cf64-3561-11ee-be56-0242ac120002']);
  });

  it('refuses a file with any invalid identifier, naming each line, unless skipping is asked', () => {
    const csv = `device_id\n${W(1)}\n82be363f-5c10-j05h-p00l-d4d80d4156c7\n00000000-0000-0000-0000-000000000000\n`;
    const e = refused(() => readDeviceIds(csv, { os: 'windows' }));
    expect(e.code).toBe('invalid_identifiers');
    expect(e.message).toMatch(/line 3: not a Windows MachineGUID/);
    expect(e.message).toMatch(/line 4: a firmware placeholder/);
    const skipped = readDeviceIds(csv, { os: 'windows', skipInvalid: true });
    expect(skipped.ids).toEqual([W(1)]);
    expect(skipped.rejected.map((r) => r.line)).toEqual([3, 4]);
  });

  it('refuses an empty list', () => {
    expect(refused(() => readDeviceIds('device_id\n\n', { os: null })).code).toBe('empty_list');
    expect(refused(() => readDeviceIds('[]', { os: null })).code).toBe('empty_list');
  });

  it('refuses mixed operating systems and names the offending lines', () => {
    const csv = `Device name,OS,MachineGuid\npc1,Windows,${W(1)}\nmac1,macOS,${W(2)}\npc2,Windows 11,${W(3)}\n`;
    const e = refused(() => readDeviceIds(csv, { os: null, format: 'intune' }));
    expect(e.code).toBe('mixed_os');
    expect(e.message).toMatch(/line 3: a macos device in a windows upload/);
    // The integration's declared OS wins: every Windows row is then the odd one out.
    expect(refused(() => readDeviceIds(csv, { os: 'macos', format: 'intune' })).message).toMatch(/2 line/);
  });

  it('chooses columns by name for Intune and Jamf exports, and --device-id-column', () => {
    const intune = readDeviceIds(`Device name,OS,MachineGuid\npc1,Windows,${W(1)}\n`, {
      os: null,
      format: 'intune',
    });
    expect(intune).toMatchObject({ ids: [W(1)], column: 'MachineGuid', os: 'windows' });
    const jamf = readDeviceIds(`Computer Name,Serial Number,UDID\nmac,C02X,${W(2)}\n`, {
      os: null,
      format: 'jamf',
    });
    expect(jamf).toMatchObject({ ids: [W(2).toUpperCase()], column: 'UDID', os: 'macos' });
    const custom = readDeviceIds(`host,guid\na,${W(3)}\n`, { os: 'windows', idColumn: 'GUID' });
    expect(custom.ids).toEqual([W(3)]);
    expect(refused(() => readDeviceIds(`host,guid\na,${W(3)}\n`, { os: 'windows' })).code).toBe(
      'missing_column',
    );
    expect(refused(() => readDeviceIds(`${W(3)}\n${W(4)}\n`, { os: 'windows' })).code).toBe('missing_header');
  });

  it('reads JSON lists of strings or objects', () => {
    const list: DeviceList = readDeviceIds(JSON.stringify([W(1), { device_id: W(2) }]), { os: 'windows' });
    expect(list).toMatchObject({ ids: [W(1), W(2)], format: 'json' });
    expect(readDeviceIds(JSON.stringify({ devices: [{ device_id: W(3) }] }), { os: null }).ids).toEqual([
      W(3),
    ]);
    expect(refused(() => readDeviceIds('[{"device_id": 5}]', { os: null })).code).toBe('invalid_identifiers');
    expect(refused(() => readDeviceIds('[\n"a",\n', { os: null })).code).toBe('malformed_json');
  });

  it('gives clear errors for broken quotes, NUL bytes, huge lines and non-UTF-8 bytes', () => {
    expect(refused(() => readDeviceIds(`device_id\n"${W(1)}\n${W(2)}\n`, { os: null })).code).toBe(
      'malformed_csv',
    );
    expect(refused(() => readDeviceIds(`device_id\n${W(1)}\0\n`, { os: null })).message).toMatch(/line 2/);
    expect(refused(() => readDeviceIds(`device_id\n${'a'.repeat(70_000)}\n`, { os: null })).code).toBe(
      'malformed_csv',
    );
    const latin1 = Buffer.concat([Buffer.from(`device_id\n${W(1)}\ncaf`), Buffer.from([0xe9, 0x0a])]);
    const e = refused(() => readDeviceIds(latin1, { os: null }));
    expect(e.code).toBe('invalid_encoding');
    expect(e.message).toMatch(/line 3/);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`device_id\r\n${W(5)}\r\n`, 'utf16le'),
    ]);
    expect(readDeviceIds(utf16, { os: null }).ids).toEqual([W(5)]);
  });
});
