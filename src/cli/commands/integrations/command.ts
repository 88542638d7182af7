import { Option, type Command } from 'commander';
import { INTEGRATION_KINDS, type IntegrationKind } from '../../../shared/index.js';
import type { CliIo, GlobalOptions } from '../../io.js';

export interface AddOptions extends GlobalOptions {
  org: string;
  kind: IntegrationKind;
  host: string;
  ikey: string;
  label?: string;
  mkey?: string;
  force?: boolean;
}

export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('integrations')
    .description('Duo applications of an organization (keys encrypted at rest, Test before Save)');
  cmd
    .command('add')
    .description(
      'test then save a Duo application; the secret key is read from stdin or DUOWATCH_SKEY, never argv',
    )
    .requiredOption('--org <slug>', 'organization')
    .addOption(
      new Option('--kind <kind>', 'application type')
        .choices(INTEGRATION_KINDS)
        .default('admin'),
    )
    .requiredOption('--host <api-host>', 'API hostname, api-XXXXXXXX.duosecurity.com')
    .requiredOption('--ikey <ikey>', 'integration key (DI…)')
    .option('--label <label>', 'a name for it')
    .option('--mkey <mkey>', 'Device API management system key')
    .option('--force', 'save even when the test fails (recorded in the audit log)')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, c: Command) => {
      const { runAdd } = await import('./run.js');
      await runAdd(io, c.optsWithGlobals<AddOptions>());
    });
  cmd
    .command('test <id>')
    .description('run Test Connection for a saved integration')
    .requiredOption('--org <slug>', 'organization')
    .option('--json', 'print JSON')
    .action(async (id: string, _o: unknown, c: Command) => {
      const { runTest } = await import('./run.js');
      await runTest(io, c.optsWithGlobals<GlobalOptions & { org: string }>(), id);
    });
  cmd
    .command('list')
    .description('list integrations with their credential state')
    .requiredOption('--org <slug>', 'organization')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, c: Command) => {
      const { runList } = await import('./run.js');
      await runList(io, c.optsWithGlobals<GlobalOptions & { org: string }>());
    });
  cmd
    .command('rotate <id>')
    .description('replace the secret key (stdin or DUOWATCH_SKEY) after testing it')
    .requiredOption('--org <slug>', 'organization')
    .option('--ikey <ikey>', 'a new integration key too')
    .option('--force', 'save even when the test fails')
    .option('--json', 'print JSON')
    .action(async (id: string, _o: unknown, c: Command) => {
      const { runRotate } = await import('./run.js');
      await runRotate(
        io,
        c.optsWithGlobals<GlobalOptions & { org: string; ikey?: string; force?: boolean }>(),
        id,
      );
    });
  cmd
    .command('remove <id>')
    .description('delete an integration and its keys')
    .requiredOption('--org <slug>', 'organization')
    .action(async (id: string, _o: unknown, c: Command) => {
      const { runRemove } = await import('./run.js');
      await runRemove(io, c.optsWithGlobals<GlobalOptions & { org: string }>(), id);
    });
}
