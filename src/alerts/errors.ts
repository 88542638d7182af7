import { DuowatchError } from '../shared/index.js';

/** An alert that does not exist, a status change that is not allowed, or a notification channel failing. */
export class AlertError extends DuowatchError {
  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, {
      status: options.status ?? 400,
      exitCode: options.status === 404 ? 3 : 2,
      cause: options.cause,
    });
  }
}
