import { DuowatchError } from './errors.js';

export type ServiceErrorCode = 'not_found' | 'invalid_input' | 'conflict' | 'unavailable';

const STATUS: Record<ServiceErrorCode, number> = {
  not_found: 404,
  invalid_input: 400,
  conflict: 409,
  unavailable: 503,
};

/** What a capability's services refuse (every capability shares the codes); the REST API renders it as `{error: {code, message}}`. */
export class ServiceError extends DuowatchError {
  constructor(code: ServiceErrorCode, message: string, cause?: unknown) {
    super(code, message, { status: STATUS[code], exitCode: code === 'not_found' ? 4 : 2, cause });
  }
}
