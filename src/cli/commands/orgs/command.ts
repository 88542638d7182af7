import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../io.js';

export function register(program: Command, io: CliIo): void {
  const orgs = program.command('orgs').description('organizations (tenants) duowatch keeps evidence for');
  orgs
    .command('add <slug>')
    .description('create an organization')
    .option('--name <name>', 'display name (default: the slug)')
    .option('--json', 'print JSON')
    .action(async (slug: string, _o: unknown, cmd: Command) => {
      const { runAdd } = await import('./run.js');
      await runAdd(io, cmd.optsWithGlobals<GlobalOptions & { name?: string }>(), slug);
    });
  orgs
    .command('list')
    .description('list organizations with their worst evidence status')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const { runList } = await import('./run.js');
      await runList(io, cmd.optsWithGlobals<GlobalOptions>());
    });
  orgs
    .command('remove <slug>')
    .description('delete an organization with its integrations and evidence')
    .action(async (slug: string, _o: unknown, cmd: Command) => {
      const { runRemove } = await import('./run.js');
      await runRemove(io, cmd.optsWithGlobals<GlobalOptions>(), slug);
    });
}
