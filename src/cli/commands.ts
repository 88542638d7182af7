import type { Command } from 'commander';
import type { CliIo } from './io.js';

/**
 * Every command folder exports `register(program, io)` from its `command.ts`, which only declares the
 * command and its options; the work itself is imported lazily inside the action, so `--help` stays fast.
 */
export type RegisterCommand = (program: Command, io: CliIo) => void;

export const commands: RegisterCommand[] = [];
