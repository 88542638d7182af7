import { DuowatchError } from '../shared/index.js';

/**
 * Errors of the verify capability. Every one exits the CLI with 1 (the scripted interface: "1 on an error")
 * and carries Duo's numeric code in its message when Duo answered with one.
 */
export type VerifyErrorCode =
  | 'verify_usage'
  | 'verify_org_not_found'
  | 'verify_no_auth_integration'
  | 'verify_integration_ambiguous'
  | 'verify_duo_error'
  | 'verify_timeout'
  | 'verify_second_factor'
  | 'verify_break_glass';

export class VerifyError extends DuowatchError {
  /** Duo's numeric code, when the failure came from Duo. */
  readonly duoCode: number | undefined;

  constructor(
    code: VerifyErrorCode,
    message: string,
    options: { status?: number; duoCode?: number; cause?: unknown } = {},
  ) {
    super(code, message, {
      status: options.status ?? 400,
      exitCode: 1,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.duoCode = options.duoCode;
  }

  override toJSON(): { code: string; message: string; duoCode?: number } {
    return {
      code: this.code,
      message: this.message,
      ...(this.duoCode === undefined ? {} : { duoCode: this.duoCode }),
    };
  }
}
