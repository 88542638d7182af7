import { randomBytes as nodeRandomBytes } from 'node:crypto';

/**
 * UUID version 7 (RFC 9562 §5.7): a 48-bit millisecond timestamp, then random bits. Ids created together sort
 * together, so primary-key inserts append to the end of the index instead of landing on random pages — this
 * matters for the evidence table's millions of rows on both SQLite and PostgreSQL.
 */
export function uuidv7(
  now: () => number = Date.now,
  randomBytes: (n: number) => Buffer = nodeRandomBytes,
): string {
  const bytes = randomBytes(16);
  const ms = now();
  bytes.writeUIntBE(Math.floor(ms / 2 ** 16), 0, 4);
  bytes.writeUInt16BE(ms % 2 ** 16, 4);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
