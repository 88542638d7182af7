import { DuowatchError } from '../shared/index.js';

export type SchedulerErrorCode =
  | 'scheduler_invalid_job'
  | 'scheduler_invalid_options'
  | 'scheduler_duplicate_kind'
  | 'scheduler_unknown_kind'
  | 'scheduler_state'
  | 'scheduler_enqueue_failed'
  | 'scheduler_queue_create_failed';

/** Every error the scheduler raises on purpose. Messages never carry payload data (it may name tenants). */
export class SchedulerError extends DuowatchError {
  constructor(code: SchedulerErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { status: code === 'scheduler_unknown_kind' ? 404 : 500, ...options });
  }
}
