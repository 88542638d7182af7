import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/index.js';

export interface ProbeCommandOptions extends GlobalOptions {
  org: string;
}

export interface StatusCommandOptions extends GlobalOptions {
  org?: string;
}

export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('health')
    .description('availability of each Duo integration: probe now, state, uptime (docs/health.md)');
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
}
