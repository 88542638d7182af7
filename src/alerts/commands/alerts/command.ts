import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../../cli/io.js';

export interface ListOptions extends GlobalOptions {
  org?: string;
  status?: string;
  severity?: string;
  rule?: string;
  q?: string;
  before?: string;
  beforeId?: string;
  limit?: string;
}
export interface ChangeOptions extends GlobalOptions {
  note?: string;
}

export function register(program: Command, io: CliIo): void {
  const alerts = program
    .command('alerts')
    .description('alerts raised by detections, health, devices and the log sinks');
  alerts
    .command('list')
    .description('list alerts, most recently seen first')
    .option('--org <slug>', 'only this organization')
    .option('--status <status>', 'open, acknowledged, resolved or suppressed')
    .option('--severity <severity>', 'low, medium, high or critical')
    .option('--rule <id>', 'only this rule (e.g. duo.mfa_fatigue)')
    .option('--q <text>', 'only alerts with this text (any case) in title, rule, entity or fields')
    .option('--before <time>', 'only alerts last seen before this ISO time (the next, older page)')
    .option('--before-id <id>', 'with --before: also those last seen at that time with a lower id')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const { runList } = await import('./run.js');
      await runList(io, cmd.optsWithGlobals<ListOptions>());
    });
  alerts
    .command('show <id>')
    .description('one alert with its triggering events and triage fields')
    .option('--json', 'print JSON')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { runShow } = await import('./run.js');
      await runShow(io, cmd.optsWithGlobals<GlobalOptions>(), id);
    });
  for (const [verb, what] of [
    ['ack', 'acknowledge'],
    ['resolve', 'resolve'],
  ] as const)
    alerts
      .command(`${verb} <id>`)
      .description(`${what} an alert (audited)`)
      .option('--note <text>', 'why (kept with the alert and in the audit log)')
      .option('--json', 'print JSON')
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const { runChange } = await import('./run.js');
        await runChange(io, cmd.optsWithGlobals<ChangeOptions>(), id, verb);
      });
}
