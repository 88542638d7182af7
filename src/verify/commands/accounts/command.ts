import { Argument, type Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/io.js';

export function register(program: Command, io: CliIo): void {
  const accounts = program.command('accounts').description('duowatch accounts kept outside the dashboard');
  accounts
    .command('break-glass')
    .description(
      'the one local account exempt from Duo 2FA (off by default): enable prints a new long password once; every sign-in is audited and alerted',
    )
    .addArgument(new Argument('<action>', 'enable (or re-key) or disable').choices(['enable', 'disable']))
    .option('--username <name>', 'account name', 'break-glass')
    .option('--json', 'print JSON: {"username", "enabled", "password"?}')
    .action(async (action: 'enable' | 'disable', _o: unknown, c: Command) => {
      const { runBreakGlass } = await import('./run.js');
      await runBreakGlass(io, action, c.optsWithGlobals<GlobalOptions & { username: string }>());
    });
}
