import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import { createCodec, postgresAdapter, sqliteAdapter, type DialectAdapter } from './dialect/index.js';
import { StoreError, VaultError } from './errors.js';
import { uuidv7 } from './ids.js';
import {
  migrateToLatest,
  migrationStatus,
  type MigrateResult,
  type MigrationStatus,
} from './migrations/index.js';
import type { RepositoryContext } from './repositories/context.js';
import {
  apiTokenRepository,
  loginDeviceRepository,
  loginThrottleRepository,
  sessionRepository,
  type ApiTokenRepository,
  type LoginDeviceRepository,
  type LoginThrottleRepository,
  type SessionRepository,
} from './repositories/access.repository.js';
import { auditLogRepository, type AuditLogRepository } from './repositories/audit-log.repository.js';
import {
  credentialHealthRepository,
  type CredentialHealthRepository,
} from './repositories/credential-health.repository.js';
import { cursorRepository, type CursorRepository } from './repositories/cursors.repository.js';
import { evidenceRepository, type EvidenceRepository } from './repositories/evidence.repository.js';
import { integrationRepository, type IntegrationRepository } from './repositories/integrations.repository.js';
import { jobRunRepository, type JobRunRepository } from './repositories/job-runs.repository.js';
import { metricsRepository, type MetricsRepository } from './repositories/metrics.repository.js';
import {
  membershipRepository,
  operatorRepository,
  type MembershipRepository,
  type OperatorRepository,
} from './repositories/operators.repository.js';
import {
  organizationRepository,
  type OrganizationRepository,
} from './repositories/organizations.repository.js';
import type { Database } from './tables.js';
import { createVault, type Vault } from './vault/cipher.js';
import { keyFileRefresher, loadKeyring, type LoadedKeyring } from './vault/keyring.js';

/** The narrow logger the store writes to (pino's signature). Never receives secrets. */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface OpenStoreOptions {
  /** `postgres://…` selects PostgreSQL; absent or empty selects the embedded SQLite file. */
  databaseUrl?: string | undefined;
  dataDir: string;
  logger?: StoreLogger;
  /** Where `DUOWATCH_MASTER_KEY` is read from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** An explicit master key / keyring file; default `<dataDir>/master.key`, created on first run. */
  masterKeyFile?: string | undefined;
  /** A ready vault (tests, or a caller that loaded the keyring itself); skips key loading. */
  vault?: Vault;
  /**
   * Load (or create) the master key (default true). `duowatch db status` opens with false: no key file is
   * created, and any attempt to touch a secret fails with vault.not_loaded.
   */
  loadKeys?: boolean;
  /** Run migrations on open (default true). `duowatch db status` opens without migrating. */
  migrate?: boolean;
  clock?: () => Date;
  newId?: () => string;
  /** Migrations of the capabilities (the composition root's `capabilityMigrations`), run with the core's. */
  migrations?: (adapter: DialectAdapter) => Record<string, Migration>;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectAdapter;
  readonly vault: Vault;
  /** Where the keys came from (null when a vault was passed in). */
  readonly keyring: LoadedKeyring | null;
  /** The SQLite file, or null on PostgreSQL. */
  readonly file: string | null;
  readonly organizations: OrganizationRepository;
  readonly integrations: IntegrationRepository;
  readonly credentialHealth: CredentialHealthRepository;
  readonly jobRuns: JobRunRepository;
  readonly cursors: CursorRepository;
  readonly evidence: EvidenceRepository;
  readonly operators: OperatorRepository;
  readonly memberships: MembershipRepository;
  readonly sessions: SessionRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly loginThrottle: LoginThrottleRepository;
  readonly loginDevices: LoginDeviceRepository;
  readonly auditLog: AuditLogRepository;
  /** Aggregates for /metrics (cost independent of the number of organizations). */
  readonly metrics: MetricsRepository;
  migrate(): Promise<MigrateResult>;
  migrationStatus(): Promise<MigrationStatus[]>;
  /** Bytes on disk (SQLite: pages in the main file; PostgreSQL: pg_database_size). */
  size(): Promise<number>;
  close(): Promise<void>;
}

export const SQLITE_FILE = 'duowatch.sqlite';

interface Connection {
  db: Kysely<Database>;
  adapter: DialectAdapter;
  file: string | null;
}

async function connect(options: OpenStoreOptions): Promise<Connection> {
  const url = options.databaseUrl ?? '';
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pg = await import('pg');
    const pool = new pg.default.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle connection dropped by the server emits 'error' on the pool; unhandled, it would kill the process.
    pool.on('error', (error) =>
      options.logger?.warn({ err: { message: error.message } }, 'postgres connection lost'),
    );
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      adapter: postgresAdapter,
      file: null,
    };
  }
  if (url !== '' && !url.startsWith('sqlite:')) {
    throw new StoreError(
      'store.bad_url',
      'database url must start with postgres://, postgresql:// or sqlite:',
    );
  }
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : join(options.dataDir, SQLITE_FILE);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const database = new BetterSqlite3(file);
  // WAL lets readers (the dashboard) run while a sync writes; foreign keys are off by default in SQLite;
  // the busy timeout covers a CLI command writing while `serve` runs.
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  // 32 MiB page cache (default 2 MiB): evidence history reads stay in-process instead of going to the OS.
  database.pragma('cache_size = -32768');
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }),
    adapter: sqliteAdapter,
    file,
  };
}

/** Opens the database (and migrates it), loads the master key, and builds every repository. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { db, adapter, file } = await connect(options);
  try {
    let keyring: LoadedKeyring | null = null;
    let vault = options.vault;
    if (vault === undefined && options.loadKeys === false) {
      vault = lockedVault();
    } else if (vault === undefined) {
      keyring = await loadKeyring({
        env: options.env ?? process.env,
        dataDir: options.dataDir,
        ...(options.masterKeyFile === undefined ? {} : { keyFile: options.masterKeyFile }),
      });
      if (keyring.created) options.logger?.info({ path: keyring.path }, 'created a new master key file');
      vault = createVault(
        keyring.keyring,
        keyring.path === null ? {} : { refresh: keyFileRefresher(keyring.path) },
      );
    }
    const asUnknown = db as unknown as Kysely<unknown>;
    if (options.migrate !== false) {
      const result = await migrateToLatest(asUnknown, adapter, options.migrations);
      if (result.applied.length > 0) options.logger?.info({ applied: result.applied }, 'database migrated');
    }
    const ctx: RepositoryContext = {
      db,
      adapter,
      codec: createCodec(adapter.capabilities),
      vault,
      clock: options.clock ?? (() => new Date()),
      newId: options.newId ?? (() => uuidv7()),
    };
    return {
      db,
      dialect: adapter,
      vault,
      keyring,
      file,
      organizations: organizationRepository(ctx),
      integrations: integrationRepository(ctx),
      credentialHealth: credentialHealthRepository(ctx),
      jobRuns: jobRunRepository(ctx),
      cursors: cursorRepository(ctx),
      evidence: evidenceRepository(ctx),
      operators: operatorRepository(ctx),
      memberships: membershipRepository(ctx),
      sessions: sessionRepository(ctx),
      apiTokens: apiTokenRepository(ctx),
      loginThrottle: loginThrottleRepository(ctx),
      loginDevices: loginDeviceRepository(ctx),
      auditLog: auditLogRepository(ctx),
      metrics: metricsRepository(ctx),
      migrate: () => migrateToLatest(asUnknown, adapter, options.migrations),
      migrationStatus: () => migrationStatus(asUnknown, adapter, options.migrations),
      size: () => adapter.databaseSize(asUnknown),
      close: () => db.destroy(),
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

function lockedVault(): Vault {
  const refuse = (): never => {
    throw new VaultError('vault.not_loaded', 'this store was opened without its master key');
  };
  return {
    get currentKeyId(): string {
      return refuse();
    },
    get keyring(): never {
      return refuse();
    },
    encrypt: refuse,
    decrypt: refuse,
    keyIdOf: refuse,
    replaceKeyring: refuse,
  };
}
