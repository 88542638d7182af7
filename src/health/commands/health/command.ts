import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/index.js';

export interface ProbeCommandOptions extends GlobalOptions {
  org: string;
}

export interface StatusCommandOptions extends GlobalOptions {
  org?: string;
}

export interface MaintenanceAddOptions extends GlobalOptions {
  org: string;
  start: string;
  end: string;
  integration?: string;
  reason: string;
}

export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('health')
    .description(
      'availability of each Duo integration: probe now, state, uptime, maintenance windows (docs/health.md)',
    );
  cmd
    .command('probe')
    .description(
      'probe every integration of the organization once, now: unsigned ping + signed check, phase timings, clock skew',
    )
    .requiredOption('--org <id-or-slug>', 'organization')
    .option(
      '--json',
      'print a JSON array: [{"integration","kind","ping":{"ok","ms"},"signed":{"ok","code","ms"},"phases_ms":{"dns","connect","tls","ttfb","total"},"clock_skew_s","healthy","reason"}]',
    )
    .action(async (_o: unknown, c: Command) => {
      const { runProbe } = await import('./run.js');
      await runProbe(io, c.optsWithGlobals<ProbeCommandOptions>());
    });
  cmd
    .command('status')
    .description(
      'the current state of every integration (as the scheduled probes left it), uptime and latency',
    )
    .option('--org <id-or-slug>', 'only this organization')
    .option(
      '--json',
      'print JSON: [{"org","integration","kind","state","since","reason","uptime":{"24h","7d","30d"},"latency_ms":{…},"slo"}]',
    )
    .action(async (_o: unknown, c: Command) => {
      const { runStatus } = await import('./run.js');
      await runStatus(io, c.optsWithGlobals<StatusCommandOptions>());
    });
  const maintenance = cmd
    .command('maintenance')
    .description(
      'scheduled maintenance windows: alerts silenced, probes counted apart from uptime (as on the Health page)',
    );
  const json = '--json';
  const rowShape =
    '{"id","source","integration","start","end","reason","active","created_by"} (id null and source "config" for a window from health.maintenance)';
  maintenance
    .command('list')
    .description(
      "the organization's windows, configured and scheduled, that end within the last 7 days or later",
    )
    .requiredOption('--org <id-or-slug>', 'organization')
    .option(json, `print a JSON array: [${rowShape}]`)
    .action(async (_o: unknown, c: Command) => {
      const { runMaintenanceList } = await import('./maintenance-run.js');
      await runMaintenanceList(io, c.optsWithGlobals<ProbeCommandOptions>());
    });
  maintenance
    .command('add')
    .description('schedule a window (audited health.maintenance_add); at most 31 days, not already over')
    .requiredOption('--org <id-or-slug>', 'organization')
    .requiredOption('--start <time>', 'ISO time with a zone, e.g. 2026-12-01T02:00:00Z')
    .requiredOption('--end <time>', 'ISO time with a zone, after --start')
    .option('--integration <id>', 'only this integration (default: every integration of the organization)')
    .option('--reason <text>', 'why (shown with the window and in the audit log)', 'maintenance')
    .option(json, `print the window as JSON: ${rowShape}`)
    .action(async (_o: unknown, c: Command) => {
      const { runMaintenanceAdd } = await import('./maintenance-run.js');
      await runMaintenanceAdd(io, c.optsWithGlobals<MaintenanceAddOptions>());
    });
  maintenance
    .command('delete <id>')
    .description(
      'delete a scheduled window (audited health.maintenance_delete); config windows change in the config',
    )
    .requiredOption('--org <id-or-slug>', 'organization')
    .option(json, `print the deleted window as JSON: ${rowShape}`)
    .action(async (id: string, _o: unknown, c: Command) => {
      const { runMaintenanceDelete } = await import('./maintenance-run.js');
      await runMaintenanceDelete(io, c.optsWithGlobals<ProbeCommandOptions>(), id);
    });
}
