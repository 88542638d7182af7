import { DuowatchError } from '../shared/index.js';

/**
 * Errors of the trusted-endpoint capability, each with a stable `code`. Exit codes follow the scripted
 * interface: 3 only for the shrink guard (a refusal the operator may override with `--force`), 1 otherwise.
 */
export class DevicesError extends DuowatchError {
  readonly details: Readonly<Record<string, unknown>>;
  constructor(
    code: string,
    message: string,
    options: { status?: number; exitCode?: number; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, {
      status: options.status ?? 400,
      exitCode: options.exitCode ?? 1,
      cause: options.cause,
    });
    this.details = options.details ?? {};
  }
}

/** The input cannot be used as a whole (encoding, structure, invalid or mixed identifiers, empty list). */
export class DevicesInputError extends DevicesError {}
