import { Option, type Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/io.js';

export interface SyncCliOptions extends GlobalOptions {
  org: string;
  integration: string;
  file?: string;
  format?: 'auto' | 'csv' | 'json' | 'intune' | 'jamf';
  deviceIdColumn?: string;
  skipInvalid?: boolean;
  dryRun?: boolean;
  uploadDryRun?: boolean;
  force?: boolean;
  deletePending?: boolean;
  os?: 'windows' | 'macos' | 'linux';
  shrinkThreshold?: string;
}

export type StatusCliOptions = GlobalOptions & { org: string; integration: string };

function inputOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--integration <id-or-label>', 'Device API integration (id or label)')
    .option('--file <path>', 'fleet export: CSV (header device_id) or JSON list; "-" reads stdin')
    .addOption(
      new Option('--format <format>', 'input format')
        .choices(['auto', 'csv', 'json', 'intune', 'jamf'])
        .default('auto'),
    )
    .option(
      '--device-id-column <name>',
      'header of the identifier column (default: device_id or a known export column)',
    )
    .option(
      '--skip-invalid',
      'upload the valid identifiers and report the invalid ones, instead of refusing the file',
    )
    .addOption(
      new Option('--os <os>', "declare the integration's operating system").choices([
        'windows',
        'macos',
        'linux',
      ]),
    )
    .option('--json', 'print JSON');
}

export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('devices')
    .description('trusted endpoints: keep a Duo Device API cache in step with the fleet export');
  inputOptions(
    cmd
      .command('sync')
      .description(
        'plan, then upload the export to a new pending cache, verify device_count and activate it (exit 0 synced or planned, 3 shrink guard refused, 1 other failure)',
      ),
  )
    .option('--dry-run', 'plan only: read the active cache and show the diff; upload nothing')
    .option('--upload-dry-run', 'with --dry-run: also upload to a pending cache, verify it, then delete it')
    .option('--force', 'sync even when it would remove more than the shrink threshold of the active devices')
    .option(
      '--delete-pending',
      'on a 409, delete a pending cache duowatch did not create (another uploader’s)',
    )
    .option('--shrink-threshold <fraction>', 'override devices.shrinkThreshold (0–1) for this run')
    .action(async (_o: unknown, c: Command) => {
      const { runSync } = await import('./run.js');
      await runSync(io, c.optsWithGlobals<SyncCliOptions>(), 'sync');
    });
  inputOptions(
    cmd.command('plan').description('show what a sync would add and remove (same as sync --dry-run)'),
  )
    .option('--shrink-threshold <fraction>', 'override devices.shrinkThreshold (0–1)')
    .action(async (_o: unknown, c: Command) => {
      const { runSync } = await import('./run.js');
      await runSync(io, { ...c.optsWithGlobals<SyncCliOptions>(), dryRun: true }, 'plan');
    });
  cmd
    .command('status')
    .description("the integration's active and pending caches, last sync and staleness")
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--integration <id-or-label>', 'Device API integration (id or label)')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, c: Command) => {
      const { runStatus } = await import('./run.js');
      await runStatus(io, c.optsWithGlobals<StatusCliOptions>());
    });
}
