import type { Capability, CapabilityContext, StartedCapability } from '../app/index.js';
import { register as logsCommand } from './commands/logs/command.js';
import { register as sinksCommand } from './commands/sinks/command.js';
import { logsMigrations } from './migrations.js';

/**
 * Security log collection (docs/logs.md): every Duo log stream of every organization, drained within Duo's
 * request budget, delivered to sinks, checkpointed only after every sink acknowledged.
 */
export const logsCapability: Capability = {
  name: 'logs',
  migrations: logsMigrations,
  commands: [logsCommand, sinksCommand],
  async start(ctx: CapabilityContext): Promise<StartedCapability> {
    const { startLogs } = await import('./start.js');
    return startLogs(ctx);
  },
};
