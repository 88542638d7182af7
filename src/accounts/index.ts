/**
 * The accounts capability's door (docs/accounts.md): operators, roles, memberships, the password step of
 * signing in with its throttle, sessions and API tokens, and the hook a second factor plugs into. The REST API (src/server) and the
 * CLI (`duowatch operators …`) call the same service.
 */
import type { Capability } from '../app/capability.js';
import { register as registerOperators } from './commands/operators/command.js';
import { register as registerTokens } from './commands/tokens/command.js';

export {
  AccountsError,
  createAccountsService,
  DEFAULT_SESSION_TTL_MS,
  type AccountsActor,
  type AccountsErrorCode,
  type AccountsService,
  type AccountsServiceOptions,
  type OperatorPatch,
  type PasswordCheck,
} from './service.js';
export {
  GLOBAL_ADMIN_RANK,
  ROLE_RANK,
  type AccountsStore,
  type ApiToken,
  type AuditEntry,
  type Membership,
  type Operator,
  type OrgRole,
  type Session,
} from './accounts-store.js';
export {
  DEFAULT_SCRYPT,
  dummyHash,
  generatePassword,
  hashPassword,
  needsRehash,
  verifyPassword,
  type ScryptParams,
} from './password.js';
export { DEFAULT_THROTTLE, LoginThrottle, type ThrottleOptions, type ThrottleRule } from './throttle.js';
export {
  DEVICE_TTL_MS,
  type CsrfPresented,
  type OpenedSession,
  type SessionLookup,
  type Sessions,
  type TokenLookup,
} from './sessions.js';
export { tokenView } from './token-view.js';
export { bootstrapAdmin, type BootstrapResult } from './bootstrap-admin.js';
export {
  newApiToken,
  newId,
  newSecret,
  safeEqual,
  sha256,
  TOKEN_PREFIX,
  type RandomBytes,
} from './secrets.js';
export type * from './second-factor.js';

export const accountsCapability: Capability = {
  name: 'accounts',
  commands: [registerOperators, registerTokens],
};
