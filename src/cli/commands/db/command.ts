import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../io.js';

export function register(program: Command, io: CliIo): void {
  const db = program.command('db').description('database schema: migrate and status');
  db.command('migrate')
    .description('apply pending migrations (also done on every start)')
    .option('--json', 'print JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runMigrate } = await import('./run.js');
      await runMigrate(io, cmd.optsWithGlobals<GlobalOptions>());
    });
  db.command('status')
    .description('show the database in use and which migrations are applied')
    .option('--json', 'print JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runStatus } = await import('./run.js');
      await runStatus(io, cmd.optsWithGlobals<GlobalOptions>());
    });
}
