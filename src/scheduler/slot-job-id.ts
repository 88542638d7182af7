import { createHash } from 'node:crypto';
import type { JobPayload } from './types.js';

// Fixed namespace so every duowatch process derives the same id for the same slot (RFC 9562 §5.5, v5).
const NAMESPACE = Buffer.from('6f0e4a52c1d84b7e9a3d5b2f8e1c7a90', 'hex');

/**
 * The pg-boss job id of one cron slot (and target): a name-based UUID of (kind, slot, org, integration).
 * pg-boss's job table has PRIMARY KEY (name, id) and inserts with ON CONFLICT DO NOTHING, so however many
 * processes send the same slot, exactly one job row exists and the other sends return null.
 */
export function slotJobId(kind: string, slotMs: number, payload: JobPayload): string {
  const name = JSON.stringify([
    kind,
    new Date(slotMs).toISOString(),
    payload.orgId ?? null,
    payload.integrationId ?? null,
  ]);
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
