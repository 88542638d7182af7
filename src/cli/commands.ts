import { capabilities, type RegisterCommand } from '../app/index.js';
import { register as config } from './commands/config/command.js';
import { register as db } from './commands/db/command.js';
import { register as duo } from './commands/duo/command.js';
import { register as emulator } from './commands/emulator/command.js';
import { register as evidence } from './commands/evidence/command.js';
import { register as integrations } from './commands/integrations/command.js';
import { register as keys } from './commands/keys/command.js';
import { register as orgs } from './commands/orgs/command.js';
import { register as serve } from './commands/serve/command.js';

/**
 * Every command folder exports `register(program, io)` from its `command.ts`, which only declares the
 * command and its options; the work itself is imported lazily inside the action, so `--help` stays fast.
 */
export type { RegisterCommand };

export const commands: RegisterCommand[] = [
  serve,
  orgs,
  integrations,
  evidence,
  duo,
  emulator,
  db,
  keys,
  config,
  ...capabilities.flatMap((c) => c.commands ?? []),
];
