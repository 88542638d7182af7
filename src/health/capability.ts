import type { Capability } from '../app/index.js';
import { register as healthCommand } from './commands/health/command.js';

/**
 * The health capability's door object: probes on a schedule, states and alerts, uptime buckets, the
 * fail-mode advisor. `start` imports its work lazily so the CLI's `--help` stays light.
 */
export const healthCapability: Capability = {
  name: 'health',
  commands: [healthCommand],
};
