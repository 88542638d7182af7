import { DuowatchError } from '../shared/index.js';

/** Every error the health capability raises on purpose; `code` is stable (CLI, REST API and tests match on it). */
export class HealthError extends DuowatchError {}

export function healthNotFound(what: string): HealthError {
  return new HealthError('health.not_found', `${what} not found`, { status: 404, exitCode: 4 });
}

export function healthInvalid(message: string): HealthError {
  return new HealthError('health.invalid', message, { status: 400, exitCode: 2 });
}
