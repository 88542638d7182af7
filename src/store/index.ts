export { openStore, SQLITE_FILE } from './open-store.js';
export type { OpenStoreOptions, Store, StoreLogger } from './open-store.js';
export { StoreError, VaultError } from './errors.js';
export type * from './models.js';
export { roles } from './models.js';
export type { DialectAdapter, DialectCapabilities, ValueCodec } from './dialect/index.js';
export { createCodec } from './dialect/index.js';
export { uuidv7 } from './ids.js';
export type { MigrateResult, MigrationStatus } from './migrations/index.js';
export type { OrganizationRepository } from './repositories/organizations.repository.js';
export type { IntegrationRepository, NewIntegration } from './repositories/integrations.repository.js';
export type {
  CredentialHealthRepository,
  CredentialFailure,
} from './repositories/credential-health.repository.js';
export type {
  JobRunRepository,
  NewJobRun,
  JobRunFinish,
  JobRunQuery,
} from './repositories/job-runs.repository.js';
export type { CursorRepository } from './repositories/cursors.repository.js';
export type { EvidenceRepository, EvidenceRange } from './repositories/evidence.repository.js';
export type { OperatorRepository, MembershipRepository } from './repositories/operators.repository.js';
export type {
  SessionRepository,
  ApiTokenRepository,
  LoginThrottleRepository,
  LoginDeviceRepository,
} from './repositories/access.repository.js';
export type { MetricsRepository, FinishedRun } from './repositories/metrics.repository.js';
export type { AuditLogRepository, NewAuditEntry, AuditQuery } from './repositories/audit-log.repository.js';
export { Secret, redacted } from './vault/secret.js';
export { createVault } from './vault/cipher.js';
export type { Vault, SecretBinding, VaultOptions } from './vault/cipher.js';
export {
  loadKeyring,
  parseKeyring,
  serializeKeyring,
  generateKeyring,
  writeKeyring,
  keyIdFor,
  MASTER_KEY_ENV,
  KEYRING_FORMAT,
} from './vault/keyring.js';
export type { Keyring, LoadedKeyring, LoadKeyringOptions, KeyFileSystem } from './vault/keyring.js';
export { rotateKeys } from './vault/rotate.js';
export type { RotateResult } from './vault/rotate.js';
