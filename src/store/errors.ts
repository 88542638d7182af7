import { DuowatchError } from '../shared/index.js';

/** A storage problem: the database refused, a row is missing, or a constraint was broken. */
export class StoreError extends DuowatchError {
  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, { status: options.status ?? 500, exitCode: 1, cause: options.cause });
  }
}

/**
 * The vault could not open a key or a ciphertext. Messages never carry key material or plaintext: only
 * key ids and the binding that failed (docs/conventions.md §2).
 */
export class VaultError extends DuowatchError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { status: 500, exitCode: 1, cause: options.cause });
  }
}
