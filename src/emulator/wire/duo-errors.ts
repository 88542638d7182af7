import { DuowatchError } from '../../shared/index.js';
import { duoResponse } from './respond.js';

/**
 * Every error code Duo's APIs answer with (docs/duo-wire.md §3). The table is closed on purpose: "Do not invent
 * other codes." Messages are Duo's exact texts.
 */
export const DUO_ERRORS = {
  40001: { status: 400, message: 'Missing required request parameters' },
  40002: { status: 400, message: 'Invalid request parameters' },
  40101: { status: 401, message: 'Missing request credentials' },
  40102: { status: 401, message: 'Invalid integration key in request credentials' },
  40103: { status: 401, message: 'Invalid signature in request credentials' },
  40104: { status: 401, message: 'Missing request timestamp' },
  40301: { status: 403, message: 'Access forbidden' },
  40401: { status: 404, message: 'Resource not found' },
  42901: { status: 429, message: 'Too Many Requests' },
  50001: { status: 500, message: 'Unknown internal server error' },
} as const;

export type DuoErrorCode = keyof typeof DUO_ERRORS;

/** Detail Duo sends with 40301 when a key of another application type calls an API (docs/duo-wire.md §2.5). */
export const WRONG_INTEGRATION_TYPE = 'Wrong integration type for this API.';

export interface DuoErrorBody {
  stat: 'FAIL';
  code: number;
  message: string;
  message_detail?: string;
}

/**
 * An error the emulator answers with, rendering itself as Duo's exact bytes (hono style: errors that render
 * themselves). It carries no secret: verification errors never echo the Authorization header.
 */
export class DuoApiError extends DuowatchError {
  readonly duoCode: DuoErrorCode;
  readonly detail: string | undefined;
  /** HTTP status of the Duo answer (also `status`, which DuowatchError exposes for the REST layer). */
  readonly httpStatus: number;
  /** The statuses Duo uses outside the table (409 for a second pending device cache). */
  constructor(duoCode: DuoErrorCode, detail?: string, httpStatus?: number) {
    const spec = DUO_ERRORS[duoCode];
    super(
      `emulator_duo_${String(duoCode)}`,
      detail === undefined ? spec.message : `${spec.message}: ${detail}`,
      {
        status: httpStatus ?? spec.status,
      },
    );
    this.duoCode = duoCode;
    this.detail = detail;
    this.httpStatus = httpStatus ?? spec.status;
  }

  body(): DuoErrorBody {
    const out: DuoErrorBody = { stat: 'FAIL', code: this.duoCode, message: DUO_ERRORS[this.duoCode].message };
    if (this.detail !== undefined) out.message_detail = this.detail;
    return out;
  }

  toResponse(options: { dateMs?: number } = {}): Response {
    return duoResponse(this.body(), { status: this.httpStatus, method: 'ERROR', ...options });
  }
}

/** A world-level error already in Duo's shape (`{error: {status, code, message, detail}}`). */
export function fromWorldError(e: {
  status: number;
  code: number;
  message: string;
  detail?: string;
}): DuoApiError {
  const code = (e.code in DUO_ERRORS ? e.code : 50001) as DuoErrorCode;
  return new DuoApiError(code, e.detail, e.status);
}
