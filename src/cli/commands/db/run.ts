import { capabilityMigrations } from '../../../app/index.js';
import { loadConfig, storeOptions, type Config } from '../../../config/index.js';
import { openStore, type Store } from '../../../store/index.js';
import { printJson, type CliIo, type GlobalOptions } from '../../io.js';

async function open(
  io: CliIo,
  opts: GlobalOptions,
  migrate: boolean,
): Promise<{ config: Config; store: Store }> {
  const config = await loadConfig({
    file: opts.config,
    env: io.env,
    cwd: process.cwd(),
    overrides: { dataDir: opts.dataDir },
  });
  // Neither command touches a secret: open without loading (or creating) the master key.
  const store = await openStore({
    ...storeOptions(config, io.env),
    migrations: capabilityMigrations,
    migrate,
    loadKeys: false,
  });
  return { config, store };
}

function location(store: Store): string {
  return store.file ?? 'postgresql (DATABASE_URL)';
}

export async function runMigrate(io: CliIo, opts: GlobalOptions): Promise<void> {
  const { store } = await open(io, opts, false);
  try {
    const { applied } = await store.migrate();
    if (opts.json === true)
      printJson(io, { dialect: store.dialect.name, location: location(store), applied });
    else
      io.stdout.write(applied.length === 0 ? 'database is up to date\n' : `applied: ${applied.join(', ')}\n`);
  } finally {
    await store.close();
  }
}

export async function runStatus(io: CliIo, opts: GlobalOptions): Promise<void> {
  const { store } = await open(io, opts, false);
  try {
    const migrations = await store.migrationStatus();
    const pending = migrations.filter((m) => m.executedAt === null).map((m) => m.name);
    if (opts.json === true) {
      printJson(io, { dialect: store.dialect.name, location: location(store), migrations, pending });
      return;
    }
    io.stdout.write(`${store.dialect.name}: ${location(store)}\n`);
    for (const m of migrations) io.stdout.write(`  ${m.name}  ${m.executedAt?.toISOString() ?? 'pending'}\n`);
    io.stdout.write(
      pending.length === 0 ? 'up to date\n' : `${pending.length} pending: run duowatch db migrate\n`,
    );
  } finally {
    await store.close();
  }
}
