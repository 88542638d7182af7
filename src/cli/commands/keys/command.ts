import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../io.js';

export function register(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('the master key that encrypts Duo secrets at rest');
  keys
    .command('rotate')
    .description('re-encrypt every stored secret under a new key, then retire the old ones')
    .option('--keep-old', 'keep the previous keys in the keyring')
    .option('--json', 'print JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runRotate } = await import('./run.js');
      await runRotate(io, cmd.optsWithGlobals<GlobalOptions & { keepOld?: boolean }>());
    });
}
