import { Argument, type Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/io.js';

/** `duowatch operators …`: the dashboard's users, managed from the shell (the same service as the API). */
export function register(program: Command, io: CliIo): void {
  const operators = program
    .command('operators')
    .description(
      'people who sign in to duowatch: list, add, disable, enable, reset a password, give a role in an organization',
    );
  operators
    .command('list')
    .description('every operator with their roles')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const { runList } = await import('./run.js');
      await runList(io, cmd.optsWithGlobals<GlobalOptions>());
    });
  operators
    .command('add <username>')
    .description('create an operator; the password is read from stdin, or generated and printed once')
    .option('--admin', 'a global administrator (every organization, users)')
    .option('--password-stdin', 'read the password from stdin (never from the command line)')
    .option('--json', 'print JSON: {"id", "username", "isAdmin", "password"?}')
    .action(async (username: string, _o: unknown, cmd: Command) => {
      const { runAdd } = await import('./run.js');
      await runAdd(
        io,
        cmd.optsWithGlobals<GlobalOptions & { admin?: boolean; passwordStdin?: boolean }>(),
        username,
      );
    });
  operators
    .command('reset-password <username>')
    .description("set another operator's password and end their sessions; generated and printed once")
    .option('--password-stdin', 'read the new password from stdin (never from the command line)')
    .option('--json', 'print JSON: {"id", "username", "password"?}')
    .action(async (username: string, _o: unknown, cmd: Command) => {
      const { runResetPassword } = await import('./run.js');
      await runResetPassword(
        io,
        cmd.optsWithGlobals<GlobalOptions & { passwordStdin?: boolean }>(),
        username,
      );
    });
  for (const [name, disabled, what] of [
    ['disable', true, 'refuse their sign-ins and end their sessions'],
    ['enable', false, 'let them sign in again'],
  ] as const)
    operators
      .command(`${name} <username>`)
      .description(what)
      .action(async (username: string, _o: unknown, cmd: Command) => {
        const { runSetDisabled } = await import('./run.js');
        await runSetDisabled(io, cmd.optsWithGlobals<GlobalOptions>(), username, disabled);
      });
  operators
    .command('role')
    .description("set an operator's role in an organization, or remove it with none")
    .argument('<username>')
    .argument('<org>', 'organization slug or id')
    .addArgument(new Argument('<role>').choices(['owner', 'admin', 'auditor', 'none']))
    .action(async (username: string, org: string, role: string, _o: unknown, cmd: Command) => {
      const { runRole } = await import('./run.js');
      await runRole(io, cmd.optsWithGlobals<GlobalOptions>(), username, org, role);
    });
}
