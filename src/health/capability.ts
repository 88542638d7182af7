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
  // The fail-mode policy and every fail-open decision in the compliance evidence export (loaded on use).
  exportSections: (deps) => ({
    async sections(org, range) {
      const { failModeExportSections } = await import('./evidence/fail-mode-sections.js');
      return failModeExportSections(deps).sections(org, range);
    },
  }),
  async start(ctx) {
    // Imported on start only, so the CLI's --help never loads the probe loop, routes or metrics.
    const { startHealth } = await import('./start.js');
    return startHealth(ctx);
  },
};
