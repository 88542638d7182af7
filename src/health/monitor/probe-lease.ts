import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { HealthConfig } from '../config-schema.js';

/** `host:pid:random`: unique per process start, readable in the lease table. */
export function probeHolderId(): string {
  return `${hostname()}:${String(process.pid)}:${randomBytes(4).toString('hex')}`;
}

/**
 * How long a probe lease lasts: two intervals plus the longest probe (two requests of `timeoutSeconds`). The
 * holder renews it at every slot, so it never lapses while the process lives, even when one probe hangs; a
 * process that died loses its integrations to another within this time.
 */
export function probeLeaseTtlMs(config: Pick<HealthConfig, 'intervalSeconds' | 'timeoutSeconds'>): number {
  return 2 * config.intervalSeconds * 1000 + 2 * config.timeoutSeconds * 1000;
}
