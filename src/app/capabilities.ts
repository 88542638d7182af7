import type { Capability } from './capability.js';
import { accountsCapability } from '../accounts/index.js';
import { evidenceCapability } from '../evidence/index.js';
import { alertsCapability } from '../alerts/index.js';
import { logsCapability } from '../logs/index.js';
import { detectCapability } from '../detect/index.js';
import { healthCapability } from '../health/index.js';
import { devicesCapability } from '../devices/index.js';
import { verifyCapability } from '../verify/index.js';

/**
 * The composition root's one list: adding a capability is a new folder under `src/` with a door that
 * exports a `Capability`, and one line here. Order is the order of start-up and of the CLI's help: alerts
 * first (every later capability raises through it), health before verify (its fail-mode advisor). Accounts
 * (operators, memberships, the password step) has no jobs of its own: the server's sign-in and the CLI's
 * `operators` commands use its service. Evidence next: its first collection runs before the others' afterStart.
 */
export const capabilities: readonly Capability[] = [
  accountsCapability,
  evidenceCapability,
  alertsCapability,
  logsCapability,
  detectCapability,
  healthCapability,
  devicesCapability,
  verifyCapability,
];
