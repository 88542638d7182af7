import { DuowatchError } from '../shared/index.js';

/** Bad replay input or a detection setting that cannot apply; exit code 2 for the CLI (usage problem). */
export class DetectError extends DuowatchError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { status: 400, exitCode: 2, cause: options.cause });
  }
}
