import type { Capability } from '../app/index.js';
import { register as healthCommand } from './commands/health/command.js';
import { healthMigrations } from './store/migrations.js';

/**
 * The health capability's door object: probes on a schedule, states and alerts, uptime buckets, the
 * fail-mode advisor. `start` imports its work lazily so the CLI's `--help` stays light.
 */
export const healthCapability: Capability = {
  name: 'health',
  migrations: healthMigrations,
  commands: [healthCommand],
  async start(ctx) {
    // Imported on start only, so the CLI's --help never loads the probe loop, routes or metrics.
    const { startHealth } = await import('./start.js');
    return startHealth(ctx);
  },
};
