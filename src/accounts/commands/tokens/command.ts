import { Option, type Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/io.js';

export interface TokenOptions extends GlobalOptions {
  org: string;
}

/** `duowatch tokens …`: an organization's API tokens from the shell (the same service as the API). */
export function register(program: Command, io: CliIo): void {
  const tokens = program
    .command('tokens')
    .description("an organization's API tokens for automation: list, create (shown once), revoke");
  const org = () => new Option('--org <org>', 'organization slug or id').makeOptionMandatory();
  tokens
    .command('list')
    .description("the organization's tokens (never the token itself)")
    .addOption(org())
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const { runList } = await import('./run.js');
      await runList(io, cmd.optsWithGlobals<TokenOptions>());
    });
  tokens
    .command('create')
    .description('create a token; it is printed this once and stored only as a SHA-256 hash')
    .addOption(org())
    .requiredOption('--label <label>', 'what the token is for (1 to 100 characters)')
    .addOption(
      new Option('--role <role>', 'what the token may do')
        .choices(['auditor', 'admin', 'owner'])
        .makeOptionMandatory(),
    )
    .option('--expires-in-days <days>', 'expire after this many days (1 to 3650); default never')
    .option('--json', 'print JSON: {"token", "apiToken"}')
    .action(async (_o: unknown, cmd: Command) => {
      const { runCreate } = await import('./run.js');
      await runCreate(
        io,
        cmd.optsWithGlobals<TokenOptions & { label: string; role: string; expiresInDays?: string }>(),
      );
    });
  tokens
    .command('revoke <id>')
    .description('revoke a token by its id (from tokens list); it stops working at once')
    .addOption(org())
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { runRevoke } = await import('./run.js');
      await runRevoke(io, cmd.optsWithGlobals<TokenOptions>(), id);
    });
}
