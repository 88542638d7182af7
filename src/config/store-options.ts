import type { OpenStoreOptions, StoreLogger } from '../store/index.js';
import type { Config } from './config-types.js';

/** The `openStore` options a configuration implies (the database URL is revealed only here, at use). */
export function storeOptions(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  logger?: StoreLogger,
): OpenStoreOptions {
  return {
    dataDir: config.dataDir,
    databaseUrl: config.database.url?.reveal(),
    masterKeyFile: config.masterKeyFile ?? undefined,
    poolSize: config.database.poolSize,
    env,
    ...(logger === undefined ? {} : { logger }),
  };
}
