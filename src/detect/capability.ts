import type { Capability, CapabilityContext, StartedCapability } from '../app/index.js';
import { register as replay } from './commands/replay/command.js';
import { detectMigrations } from './migrations.js';

/**
 * Detections over the collected logs. In `serve` it subscribes to the log event hub (the collector publishes
 * delivered events there, in order per organization and stream) and raises every detection through the shared
 * alert raiser, which stores and folds it. `detect replay` runs the same engine over a file.
 */
export const detectCapability: Capability = {
  name: 'detect',
  migrations: detectMigrations,
  commands: [replay],
  async start(ctx: CapabilityContext): Promise<StartedCapability> {
    const { startDetect } = await import('./live.js');
    return startDetect(ctx);
  },
};
