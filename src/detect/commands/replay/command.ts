import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/io.js';

export interface ReplayOptions extends GlobalOptions {
  from?: string;
  to?: string;
  geoip?: boolean;
}

export function register(program: Command, io: CliIo): void {
  const detect = program.command('detect').description('detections over collected Duo logs');
  detect
    .command('replay <file>')
    .description(
      "run every detection over a file of the log collector's NDJSON lines and print the alerts (one JSON object per alert with --json)",
    )
    .option('--from <time>', 'skip events before this ISO-8601 time')
    .option('--to <time>', 'skip events after this ISO-8601 time')
    .option('--no-geoip', 'do not open the offline GeoIP database (impossible travel then never fires)')
    .option('--json', 'print one JSON object per alert, one per line')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const { runReplay } = await import('./run.js');
      await runReplay(io, cmd.optsWithGlobals<ReplayOptions>(), file);
    });
}
