import type { Command } from 'commander';
import type { CliIo } from '../../io.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `duowatch emulator`: a faithful local Duo over TLS for tests, demos and SIEM pipelines (docs/emulator.md). */
export function register(program: Command, io: CliIo): void {
  const emulator = program
    .command('emulator')
    .description(
      'run the Duo emulator over TLS; prints one JSON line with hostnames, CA file and keys when ready',
    )
    .option('--port <n>', 'TCP port (0 = any free port)', '8443')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tenants <n>', 'number of tenants (the first is the Accounts API parent of the others)', '1')
    .option('--users <n>', 'users per generated tenant', '50')
    .option('--seed <s>', 'seed: same seed, same tenants and logs', 'duowatch')
    .option('--tenant-file <file>', 'YAML or JSON fixture for the first tenant')
    .option(
      '--scenario <kind[:arg]>',
      'inject a scenario into every tenant at start (repeatable)',
      collect,
      [],
    )
    .option(
      '--fault <kind[:path][@p]>',
      'inject a fault (repeatable), e.g. rate_limit:/admin/v2/logs/*@0.5',
      collect,
      [],
    )
    .option('--no-rate-limit', 'switch Duo rate limits off')
    .option('--control-token <token>', 'bearer token for the control API (default: random)')
    .option('--json', 'JSON output (the ready line is always JSON)')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runEmulatorCommand, processStopSignal } = await import('./run.js');
      const stop = processStopSignal();
      await runEmulatorCommand(cmd.optsWithGlobals(), io, stop.signal);
      stop.dispose();
    });
  emulator
    .command('fault')
    .description(
      "change the demo tenant that `serve` runs, to watch health states change: down, slow, hang, telephony (calls and SMS fail, push works; starts simulated logins), clear, list, or the emulator's kind[:path][@p]",
    )
    .argument('<what>', 'down | slow | hang | telephony | clear | list | kind[:path][@p]')
    .option('--calls <n>', 'telephony: simulated logins per factor (phone, sms, push)', '12')
    .option('--json', 'JSON output')
    .action(async (what: string, _opts: unknown, cmd: Command) => {
      const { runEmulatorFault } = await import('./fault-run.js');
      await runEmulatorFault(what, cmd.optsWithGlobals(), io);
    });
}
