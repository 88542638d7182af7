import { DuowatchError } from '../../../shared/index.js';
import type { CliIo } from '../../io.js';
import type { ServeOptions } from './command.js';

class ServeError extends DuowatchError {}

/**
 * `duowatch serve` (what `npm start` runs): config → store → (demo emulator) → services → scheduler →
 * HTTP server. Returns when SIGINT/SIGTERM has shut everything down in order.
 */
export async function runServe(io: CliIo, opts: ServeOptions, until?: Promise<void>): Promise<void> {
  const { startService } = await import('../../../runtime/service.js');
  const service = await startService({
    env: io.env,
    cwd: process.cwd(),
    dataDir: opts.dataDir,
    configFile: opts.config,
    host: opts.host,
    port: parsePort(opts.port),
    out: (line) => io.stdout.write(line + '\n'),
  });
  await (until ??
    new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }));
  io.stdout.write('duowatch: shutting down…\n');
  await service.stop();
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ServeError('invalid_port', `--port must be 0–65535, not ${text}`, { exitCode: 2 });
  return n;
}
