import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/io.js';

export interface SinksTestOptions extends GlobalOptions {
  timeout?: string;
}

export function register(program: Command, io: CliIo): void {
  const cmd = program.command('sinks').description('the log sinks configured under logs.sinks');
  cmd
    .command('test')
    .description(
      'send one marked test event through the named sink and wait for its acknowledgement (exit 0 acknowledged, 1 not)',
    )
    .argument('<name>', 'a sink name from logs.sinks')
    .option('--timeout <seconds>', 'how long to wait for the acknowledgement', '30')
    .option('--json', 'print {"sink","type","ok","ms","id","error"}')
    .action(async (name: string, _o: unknown, c: Command) => {
      const { runSinksTest } = await import('./run.js');
      await runSinksTest(io, name, c.optsWithGlobals<SinksTestOptions>());
    });
  cmd
    .command('list')
    .description('the configured sinks (type and settings, secrets redacted)')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, c: Command) => {
      const { runSinksList } = await import('./run.js');
      await runSinksList(io, c.optsWithGlobals<GlobalOptions>());
    });
}
