import { DuowatchError } from '../shared/index.js';

export type LogsErrorCode =
  | 'logs.invalid_streams'
  | 'logs.invalid_since'
  | 'logs.invalid_budget'
  | 'logs.invalid_option'
  | 'logs.org_not_found'
  | 'logs.no_integration'
  | 'logs.malformed_page'
  | 'logs.no_sink'
  | 'logs.streams_failed'
  | 'logs.unknown_sink'
  | 'logs.sink_test_failed';

/** Collector errors with a stable code; usage mistakes exit 2, failed collections 3. */
export class LogsError extends DuowatchError {
  constructor(code: LogsErrorCode, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    const usage = code.startsWith('logs.invalid') || code === 'logs.no_sink' || code === 'logs.unknown_sink';
    super(code, message, {
      status: usage ? 400 : code === 'logs.org_not_found' ? 404 : 502,
      exitCode: options.exitCode ?? (usage ? 2 : 3),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}
