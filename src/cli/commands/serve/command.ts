import type { Command } from 'commander';
import type { CliIo, GlobalOptions } from '../../io.js';

export interface ServeOptions extends GlobalOptions {
  host?: string;
  port?: string;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'run the service: REST API, dashboard, schedules; with no Duo integration configured, an emulated demo tenant',
    )
    .option('--host <address>', 'listen address (default 127.0.0.1, or server.host in the config)')
    .option('--port <port>', 'listen port (default 8080, or server.port in the config)')
    .action(async (_o: unknown, c: Command) => {
      const { runServe } = await import('./run.js');
      await runServe(io, c.optsWithGlobals<ServeOptions>());
    });
}
