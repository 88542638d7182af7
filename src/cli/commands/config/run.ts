import { stringify } from 'yaml';
import { ConfigError, loadConfig, redactedConfig, type Config } from '../../../config/index.js';
import { printJson, type CliIo, type GlobalOptions } from '../../io.js';

function load(io: CliIo, opts: GlobalOptions): Promise<Config> {
  return loadConfig({
    file: opts.config,
    env: io.env,
    cwd: process.cwd(),
    overrides: { dataDir: opts.dataDir },
  });
}

export async function runValidate(io: CliIo, opts: GlobalOptions): Promise<void> {
  let config: Config;
  try {
    config = await load(io, opts);
  } catch (error) {
    if (error instanceof ConfigError && opts.json === true)
      printJson(io, { valid: false, issues: error.issues });
    throw error;
  }
  if (opts.json === true) printJson(io, { valid: true, file: config.file, envApplied: config.envApplied });
  else io.stdout.write(`configuration is valid (${config.file ?? 'defaults and environment only'})\n`);
}

export async function runShow(io: CliIo, opts: GlobalOptions): Promise<void> {
  const shown = redactedConfig(await load(io, opts));
  if (opts.json === true) printJson(io, shown);
  else io.stdout.write(stringify(shown));
}
