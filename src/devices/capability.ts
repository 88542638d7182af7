import type { Capability } from '../app/capability.js';
import { register as devicesCommand } from './commands/devices/command.js';
import { devicesMigrations } from './migrations.js';

/**
 * Trusted endpoints (docs/devices.md): the `devices` CLI, its tables, and — inside `serve` — the daily
 * scheduled sync, the stale-cache check and the REST routes. `start` imports its work lazily.
 */
export const devicesCapability: Capability = {
  name: 'devices',
  migrations: devicesMigrations,
  commands: [devicesCommand],
  async start(ctx) {
    const { startDevices } = await import('./start.js');
    return startDevices(ctx);
  },
};
