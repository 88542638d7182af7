import type { Runtime } from '../runtime/index.js';
import type { CliIo, GlobalOptions } from './io.js';

/** Opens the runtime for one command and always closes it (store handles, sockets), whatever happens. */
export async function withRuntime<T>(
  io: CliIo,
  opts: GlobalOptions,
  fn: (rt: Runtime) => Promise<T>,
): Promise<T> {
  const { openRuntime } = await import('../runtime/index.js');
  const rt = await openRuntime({
    dataDir: opts.dataDir,
    configFile: opts.config,
    env: io.env,
    cwd: process.cwd(),
  });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

export const CLI_ACTOR = { id: 'cli' } as const;
