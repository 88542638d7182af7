import type { Capability } from '../app/index.js';
import { register as alertsCommand } from './commands/alerts/command.js';
import { alertsMigrations } from './migrations.js';

/**
 * Alerts for every capability. It must start first: its `start` provides the stored raiser that the
 * capabilities after it find in `ctx.shared.alerts`.
 */
export const alertsCapability: Capability = {
  name: 'alerts',
  migrations: alertsMigrations,
  commands: [alertsCommand],
  async start(ctx) {
    const { startAlerts } = await import('./start.js');
    return startAlerts(ctx);
  },
};
