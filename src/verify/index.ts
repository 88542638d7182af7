/**
 * The verify capability's door (docs/verify.md): the Auth API for operators and automation (`duowatch auth`,
 * REST routes under an organization, the "verify this user" action) and Duo two-factor on duowatch's own
 * login. Outside code imports only this file.
 */
import type { Capability } from '../app/capability.js';
import { register as authCommand } from './commands/auth/command.js';

export { VerifyError, type VerifyErrorCode } from './errors.js';
export { AUTH_ACTIONS, runAuthAction, type AuthAction, type AuthActionInput } from './auth-actions.js';

export const verifyCapability: Capability = {
  name: 'verify',
  commands: [authCommand],
};
