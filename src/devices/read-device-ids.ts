import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import { DevicesInputError } from './errors.js';
import { checkDeviceId, parseOsName, type DeviceOs } from './device-os.js';

export type InputFormat = 'auto' | 'csv' | 'json' | 'intune' | 'jamf';
export const INPUT_FORMATS: readonly InputFormat[] = ['auto', 'csv', 'json', 'intune', 'jamf'];

export interface ReadOptions {
  format?: InputFormat;
  /** Header of the identifier column (case-insensitive); default: the first known name present. */
  idColumn?: string;
  /** The integration's declared OS; null when it has declared none (then only the shape is checked). */
  os: DeviceOs | null;
  /** Upload the valid identifiers and report the rest, instead of refusing the whole file. */
  skipInvalid?: boolean;
}

export interface RejectedLine {
  /** 1-based line of the CSV file (the record's last line), or item number of a JSON list. */
  readonly line: number;
  readonly value: string;
  readonly reason: string;
}

export interface DuplicateLine {
  readonly line: number;
  readonly value: string;
  readonly firstLine: number;
}

export interface DeviceList {
  /** Valid, de-duplicated identifiers in input order, in the case the OS reports them. */
  readonly ids: readonly string[];
  readonly rejected: readonly RejectedLine[];
  readonly duplicates: readonly DuplicateLine[];
  /** Records read (blank lines excepted): ids + rejected + duplicates, so nothing is dropped unseen. */
  readonly records: number;
  readonly column: string;
  readonly format: 'csv' | 'json';
  /** The OS the identifiers belong to (declared, or the one the export's OS column named). */
  readonly os: DeviceOs | null;
}

/** The longest record accepted; an export line this long is corruption, not a device. */
export const MAX_RECORD_CHARS = 65_536;

/** Known identifier columns, by export (docs/devices.md "Inputs"); compared case-insensitively. */
const ID_COLUMNS: Record<InputFormat, readonly string[]> = {
  auto: ['device_id', 'machineguid', 'machine guid', 'hardware uuid', 'udid', 'system uuid', 'product uuid'],
  csv: ['device_id'],
  json: ['device_id'],
  // Intune's device export has an "OS" column; the identifier column depends on how it was collected.
  intune: ['machineguid', 'machine guid', 'hardware uuid', 'device_id'],
  // Jamf Pro's computer export names the hardware UUID "UDID" (sometimes "Computer UDID").
  jamf: ['udid', 'computer udid', 'hardware uuid', 'device_id'],
};
const OS_COLUMNS = ['os', 'operating system', 'operatingsystem', 'platform', 'os type', 'os name'];

interface RawRow {
  line: number;
  value: string;
  os: string | null;
}

/** Reads identifiers from a CSV or JSON export; refuses the whole input rather than guess (see DeviceList). */
export function readDeviceIds(input: Buffer | string, options: ReadOptions): DeviceList {
  const text = typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decode(input);
  const nul = text.indexOf('\0');
  if (nul >= 0)
    throw new DevicesInputError(
      'nul_byte',
      `line ${String(lineAt(text, nul))} contains a NUL byte: this is not a text export (save it as UTF-8 CSV)`,
    );
  const format = options.format ?? 'auto';
  const isJson = format === 'json' || (format === 'auto' && /^\s*[[{]/.test(text));
  const { rows, column, columnOs } = isJson ? jsonRows(text, options) : csvRows(text, format, options);
  return validate(rows, { ...options, os: options.os ?? null }, column, isJson ? 'json' : 'csv', columnOs);
}

function decode(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    // Name the line of the first byte that is not UTF-8, so the operator can find it.
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    throw new DevicesInputError(
      'invalid_encoding',
      `line ${String(line)} is not valid UTF-8 (mixed encodings?): re-save the export as UTF-8`,
    );
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    const n =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return b.length;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function plainRecords(text: string): { record: string[]; info: { lines: number } }[] {
  const out: { record: string[]; info: { lines: number } }[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length > MAX_RECORD_CHARS)
      throw new DevicesInputError(
        'malformed_csv',
        `line ${String(i + 1)}: the CSV cannot be read (a record longer than ${String(MAX_RECORD_CHARS)} characters)`,
      );
    if (line === '') continue;
    out.push({ record: line.split(','), info: { lines: i + 1 } });
  }
  return out;
}

function pickColumn(
  header: readonly string[],
  format: InputFormat,
  wanted: string | undefined,
): { index: number; name: string } {
  const names = header.map((h) => h.trim().toLowerCase());
  const candidates = wanted === undefined ? ID_COLUMNS[format] : [wanted.trim().toLowerCase()];
  for (const c of candidates) {
    const index = names.indexOf(c);
    if (index >= 0) return { index, name: header[index]?.trim() ?? c };
  }
  const shown = header.map((h) => JSON.stringify(h.trim())).join(', ');
  if (header.length > 0 && checkDeviceId(null, header[0] ?? '').ok)
    throw new DevicesInputError(
      'missing_header',
      `line 1 is an identifier, not a header: the first line must name the column (device_id)`,
    );
  throw new DevicesInputError(
    'missing_column',
    `no ${wanted === undefined ? candidates.map((c) => JSON.stringify(c)).join(' or ') : JSON.stringify(wanted)} column in the header (columns: ${shown}); choose one with --device-id-column`,
  );
}

function csvRows(
  text: string,
  format: InputFormat,
  options: ReadOptions,
): { rows: RawRow[]; column: string; columnOs: DeviceOs | null } {
  let records: { record: string[]; info: { lines: number } }[];
  // Without a quote character CSV is exactly lines of comma-separated fields, so a large plain export
  // (the common case) skips the general parser, which is several times slower with line tracking.
  if (!text.includes('"')) records = plainRecords(text);
  else
    try {
      records = parse(text, {
        bom: true,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        max_record_size: MAX_RECORD_CHARS,
      }) as unknown as { record: string[]; info: { lines: number } }[];
    } catch (error) {
      const line = error instanceof CsvError && typeof error.lines === 'number' ? error.lines : undefined;
      const why =
        error instanceof Error ? error.message.replace(/^Invalid Record Length: /, '') : String(error);
      throw new DevicesInputError(
        'malformed_csv',
        `${line === undefined ? '' : `line ${String(line)}: `}the CSV cannot be read (${why.slice(0, 200)})`,
        { cause: error },
      );
    }
  const [head, ...data] = records;
  if (head === undefined) return { rows: [], column: options.idColumn ?? 'device_id', columnOs: null };
  const col = pickColumn(head.record, format, options.idColumn);
  const names = head.record.map((h) => h.trim().toLowerCase());
  const osIndex = OS_COLUMNS.map((c) => names.indexOf(c)).find((i) => i >= 0 && i !== col.index);
  const rows: RawRow[] = [];
  for (const { record, info } of data) {
    if (record.every((f) => f.trim() === '')) continue; // a blank (or all-empty) line carries no device
    rows.push({
      line: info.lines,
      value: record[col.index] ?? '',
      os: osIndex === undefined ? null : (record[osIndex] ?? ''),
    });
  }
  return { rows, column: col.name, columnOs: format === 'jamf' ? 'macos' : null };
}

function jsonRows(
  text: string,
  options: ReadOptions,
): { rows: RawRow[]; column: string; columnOs: DeviceOs | null } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const m = /position (\d+)/.exec(error instanceof Error ? error.message : '');
    const where = m?.[1] === undefined ? '' : `line ${String(lineAt(text, Number(m[1])))}: `;
    throw new DevicesInputError('malformed_json', `${where}the JSON cannot be read`, { cause: error });
  }
  const list = Array.isArray(doc)
    ? doc
    : typeof doc === 'object' && doc !== null && Array.isArray((doc as Record<string, unknown>)['devices'])
      ? ((doc as Record<string, unknown>)['devices'] as unknown[])
      : undefined;
  if (list === undefined)
    throw new DevicesInputError(
      'malformed_json',
      'expected a JSON list of identifiers (or {"devices": […]})',
    );
  const key = options.idColumn ?? 'device_id';
  const rows = list.map((item, i): RawRow => {
    if (typeof item === 'string') return { line: i + 1, value: item, os: null };
    if (typeof item === 'object' && item !== null) {
      const o = item as Record<string, unknown>;
      const v = o[key];
      const os = o['os'] ?? o['operating_system'];
      return {
        line: i + 1,
        value: typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v),
        os: typeof os === 'string' ? os : null,
      };
    }
    return { line: i + 1, value: JSON.stringify(item), os: null };
  });
  return { rows, column: key, columnOs: null };
}

function validate(
  rows: readonly RawRow[],
  options: ReadOptions & { os: DeviceOs | null },
  column: string,
  format: 'csv' | 'json',
  columnOs: DeviceOs | null,
): DeviceList {
  // One OS per upload: the declared one, else the one the export's OS column (or the format) names first.
  let os: DeviceOs | null = options.os ?? columnOs;
  const mixed: RejectedLine[] = [];
  const rejected: RejectedLine[] = [];
  const parsedOs = rows.map((r) => (r.os === null || r.os.trim() === '' ? null : parseOsName(r.os)));
  if (os === null) os = parsedOs.find((o) => o !== null) ?? null;
  rows.forEach((r, i) => {
    const rowOs = parsedOs[i] ?? null;
    if (r.os !== null && r.os.trim() !== '' && rowOs === null)
      rejected.push({
        line: r.line,
        value: r.value.trim(),
        reason: `unknown operating system ${JSON.stringify(r.os.trim())}`,
      });
    else if (rowOs !== null && os !== null && rowOs !== os)
      mixed.push({ line: r.line, value: r.value.trim(), reason: `a ${rowOs} device in a ${os} upload` });
  });
  if (mixed.length > 0)
    throw new DevicesInputError(
      'mixed_os',
      `operating systems are mixed: ${String(mixed.length)} line(s) are not ${String(os)} (${listLines(mixed)}); upload each OS to its own integration`,
      { details: { mixed } },
    );
  const badLines = new Set(rejected.map((r) => r.line));
  const ids: string[] = [];
  const duplicates: DuplicateLine[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    if (badLines.has(r.line)) continue;
    const check = checkDeviceId(os, r.value);
    if (!check.ok) {
      rejected.push({ line: r.line, value: r.value.trim().slice(0, 80), reason: check.reason });
      continue;
    }
    const key = check.id.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      duplicates.push({ line: r.line, value: check.id, firstLine: first });
      continue;
    }
    seen.set(key, r.line);
    ids.push(check.id);
  }
  rejected.sort((a, b) => a.line - b.line);
  if (rejected.length > 0 && options.skipInvalid !== true)
    throw new DevicesInputError(
      'invalid_identifiers',
      `${String(rejected.length)} invalid identifier(s), nothing uploaded (${listLines(rejected)}); fix them or pass --skip-invalid`,
      { details: { rejected } },
    );
  if (ids.length === 0)
    throw new DevicesInputError(
      'empty_list',
      'the list holds no valid identifier: refusing to replace the active cache with an empty one',
      { details: { rejected } },
    );
  return { ids, rejected, duplicates, records: rows.length, column, format, os };
}

function listLines(lines: readonly RejectedLine[]): string {
  const shown = lines.slice(0, 10).map((l) => `line ${String(l.line)}: ${l.reason}`);
  return shown.join('; ') + (lines.length > 10 ? `; and ${String(lines.length - 10)} more` : '');
}
