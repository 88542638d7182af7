import { Option, type Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/io.js';

export interface LogsOnceOptions extends GlobalOptions {
  org: string;
  streams?: string;
  since?: string;
  sink?: string;
  format: 'raw' | 'ecs';
}

export interface LogsBackfillOptions extends LogsOnceOptions {
  rewind?: boolean;
  progress?: boolean;
}

export interface LogsRunOptions extends GlobalOptions {
  org?: string[];
  streams?: string;
  sink?: string;
  format: 'raw' | 'ecs';
  interval?: string;
  rounds?: string;
}

const STREAMS_HELP =
  'comma-separated streams: auth,admin,telephony,activity,trust_monitor,offline_enrollment (default: all)';
const ALERTS_HELP = "duowatch's alert changes to the routes that carry them; default: included";

export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('logs')
    .description(
      'collect Duo logs (auth, admin, telephony, activity, Trust Monitor, offline enrollment) to sinks',
    );
  const formatOption = (): Option =>
    new Option('--format <format>', 'line format for --sink').choices(['raw', 'ecs']).default('raw');
  cmd
    .command('once')
    .description(
      "collect the selected streams up to now − 2 min, deliver them to the sink, commit the checkpoints and exit; a second run continues from the checkpoints (without --sink: the routes' sinks, then the alert changes of the routes that carry alerts)",
    )
    .requiredOption('--org <slug>', 'organization')
    .option('--streams <list>', `${STREAMS_HELP}; without --sink also alerts (${ALERTS_HELP})`)
    .option(
      '--since <when>',
      'where a stream without a checkpoint starts: 24h, 7d, 90m or an ISO time (default 24h)',
    )
    .option(
      '--sink <spec>',
      "file:<path> or stdout (default: the configuration's logs.routes and sinks, as serve collects; --since then not allowed)",
    )
    .addOption(formatOption())
    .option(
      '--json',
      'print {"streams":[{"stream","events","newest"}]} (without --sink, an "alerts" entry last when the routes carry the organization\'s alerts)',
    )
    .action(async (_o: unknown, c: Command) => {
      const { runOnce } = await import('./run.js');
      await runOnce(io, c.optsWithGlobals<LogsOnceOptions>());
    });
  cmd
    .command('backfill')
    .description(
      'collect history from --since with a progress bar (streams with a checkpoint continue from it unless --rewind)',
    )
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--since <when>', '24h, 7d, 90m or an ISO time (at most 179 days back)')
    .option('--streams <list>', STREAMS_HELP)
    .option(
      '--sink <spec>',
      "file:<path> or stdout (default: the configuration's logs.routes and sinks, as `logs once` collects)",
    )
    .addOption(formatOption())
    .option('--rewind', 'move existing checkpoints back to --since (events after it are delivered again)')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--json', 'print {"streams":[{"stream","events","newest"}]}')
    .action(async (_o: unknown, c: Command) => {
      const { runBackfill } = await import('./run.js');
      await runBackfill(io, c.optsWithGlobals<LogsBackfillOptions>());
    });
  cmd
    .command('run')
    .description(
      'collect continuously (every --interval seconds, default 120) until interrupted; transient errors back a stream off, never stop the process',
    )
    .option(
      '--org <slug...>',
      'organizations (default: every organization with an Admin or Accounts integration)',
    )
    .option('--streams <list>', `${STREAMS_HELP}; without --sink also alerts (${ALERTS_HELP})`)
    .option(
      '--sink <spec>',
      "file:<path> or stdout (default: the configuration's logs.routes and sinks, as serve collects)",
    )
    .addOption(formatOption())
    .option('--interval <seconds>', 'seconds between polls (default 120)')
    .option('--rounds <n>', 'stop after n polls of every organization (default: until interrupted)')
    .action(async (_o: unknown, c: Command) => {
      const { runDaemon } = await import('./run.js');
      await runDaemon(io, c.optsWithGlobals<LogsRunOptions>());
    });
  cmd
    .command('inventory')
    .description(
      "snapshot the organization's users, phones and endpoints (each Admin integration's tenant and the selected MSP children) for enrichment; serve does it daily",
    )
    .requiredOption('--org <slug>', 'organization')
    .option('--json', 'print {"snapshots":[{"integration","account","kind","count","truncated","error"}]}')
    .action(async (_o: unknown, c: Command) => {
      const { runInventory } = await import('./run.js');
      await runInventory(io, c.optsWithGlobals<GlobalOptions & { org: string }>());
    });
  cmd
    .command('status')
    .description(
      'per stream: newest event delivered, lag, backlog estimate, events/s, status and last error; per sink: queue depth, last acknowledgement, last error, position (from the database: every process)',
    )
    .option('--org <slug>', 'only this organization')
    .option('--json', 'print {"streams":[…],"sinks":[…]}')
    .action(async (_o: unknown, c: Command) => {
      const { runStatus } = await import('./run.js');
      await runStatus(io, c.optsWithGlobals<GlobalOptions & { org?: string }>());
    });
}
