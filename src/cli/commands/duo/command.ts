import type { Command } from 'commander';
import type { CliIo } from '../../io.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `duowatch duo …`: one signed call, ping and check (docs/duo-client.md). Credentials come from DUOWATCH_IKEY,
 * DUOWATCH_SKEY and DUOWATCH_HOST, else from an integration in the config file; they are never printed.
 */
export function register(program: Command, io: CliIo): void {
  const duo = program.command('duo').description('talk to the Duo API directly (signed calls, ping, check)');
  const credentialOptions = (cmd: Command): Command =>
    cmd
      .option('--org <slug>', 'use this configured integration (default: env credentials, else the first)')
      .option('--sig-version <n>', 'signature version: 5 (default, as Duo Python 5.6.1) or 2', '5')
      .option('--json', 'JSON output');

  credentialOptions(
    duo
      .command('call')
      .description(
        'make one signed call and print the JSON reply, e.g. duo call GET /admin/v1/users limit=10',
      )
      .argument('<method>', 'GET, POST, PUT, PATCH or DELETE')
      .argument('<path>', 'API path, e.g. /admin/v1/settings')
      .argument('[params...]', 'key=value parameters (repeat a key for several values)')
      .option('--param <key=value>', 'another parameter (for values starting with -)', collect, []),
  ).action(async (method: string, path: string, params: string[], _opts: unknown, cmd: Command) => {
    const { runDuoCall } = await import('./run.js');
    await runDuoCall(
      { method, path, params: [...params, ...cmd.opts<{ param: string[] }>().param] },
      cmd.optsWithGlobals(),
      io,
    );
  });

  credentialOptions(
    duo.command('ping').description('unsigned /auth/v2/ping: reachability, latency and clock skew'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const { runDuoProbe } = await import('./run.js');
    await runDuoProbe('ping', cmd.optsWithGlobals(), io);
  });

  credentialOptions(
    duo
      .command('check')
      .description('signed /auth/v2/check: proves host, key and signature; latency and clock skew'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const { runDuoProbe } = await import('./run.js');
    await runDuoProbe('check', cmd.optsWithGlobals(), io);
  });
}
