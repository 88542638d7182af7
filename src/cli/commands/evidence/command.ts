import { Option, type Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../io.js';

export interface ExportOptions extends GlobalOptions {
  org: string;
  from: string;
  to: string;
  format: 'json' | 'csv' | 'html';
  out?: string;
}

export function register(program: Command, io: CliIo): void {
  const cmd = program.command('evidence').description('compliance evidence: run the signals, show, export');
  cmd
    .command('sync')
    .description('run the signals now (identity sync and auth-log poll) and print what was computed')
    .requiredOption('--org <id-or-slug>', 'organization')
    .option('--signal <id>', 'only this signal (e.g. mfa_enrollment, auth_log_aggregate)')
    .option(
      '--json',
      'print JSON: {"org", "signals": [{"id", "status", "metrics", "controls", "truncated", …}]}',
    )
    .action(async (_o: unknown, c: Command) => {
      const { runSync } = await import('./run.js');
      await runSync(io, c.optsWithGlobals<GlobalOptions & { org: string; signal?: string }>());
    });
  cmd
    .command('show')
    .description('the latest record of each signal')
    .requiredOption('--org <id-or-slug>', 'organization')
    .option('--json', 'print JSON (same shape as sync)')
    .action(async (_o: unknown, c: Command) => {
      const { runShow } = await import('./run.js');
      await runShow(io, c.optsWithGlobals<GlobalOptions & { org: string }>());
    });
  cmd
    .command('export')
    .description('evidence between two dates as JSON, CSV or a printable HTML auditor report')
    .requiredOption('--org <id-or-slug>', 'organization')
    .requiredOption('--from <date>', 'start (ISO date or time)')
    .requiredOption('--to <date>', 'end (ISO date or time)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['json', 'csv', 'html']).default('json'),
    )
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (_o: unknown, c: Command) => {
      const { runExport } = await import('./run.js');
      await runExport(io, c.optsWithGlobals<ExportOptions>());
    });
}
