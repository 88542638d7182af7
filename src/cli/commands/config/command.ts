import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../io.js';

export function register(program: Command, io: CliIo): void {
  const config = program.command('config').description('the configuration file and environment overrides');
  config
    .command('validate')
    .description('check the configuration and report every problem at once')
    .option('--json', 'print JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runValidate } = await import('./run.js');
      await runValidate(io, cmd.optsWithGlobals<GlobalOptions>());
    });
  config
    .command('show')
    .description('print the effective configuration (defaults + file + environment), secrets redacted')
    .option('--json', 'print JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runShow } = await import('./run.js');
      await runShow(io, cmd.optsWithGlobals<GlobalOptions>());
    });
}
