import { DuowatchError, stripControl } from '../../shared/index.js';

/**
 * A local refusal before any byte is sent: a malformed API hostname, a forbidden address, an unusable
 * proxy or CA setting. Distinct from DuoApiError, which is about a call that was attempted.
 */
export class DuoConfigError extends DuowatchError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, stripControl(message), {
      status: 400,
      exitCode: 78,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}
