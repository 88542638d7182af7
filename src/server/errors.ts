import { DuowatchError } from '../shared/index.js';

/**
 * An error the REST API answers with as `{error: {code, message}}` (docs/conventions.md §2: errors that render
 * themselves, as hono's HTTPException does). `code` is stable and documented in docs/api.md.
 */
export class ApiError extends DuowatchError {
  readonly details: ReadonlyArray<{ path: string; message: string }> | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: {
      details?: ReadonlyArray<{ path: string; message: string }>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, { status, exitCode: 1, cause: options.cause });
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  /** The body every error response carries; `details` lists every validation problem at once. */
  body(): { error: { code: string; message: string; details?: Array<{ path: string; message: string }> } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: [...this.details] }),
      },
    };
  }

  render(): Response {
    return new Response(JSON.stringify(this.body()), {
      status: this.status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...this.headers },
    });
  }
}

export const unauthenticated = (): ApiError =>
  new ApiError(401, 'unauthenticated', 'Sign in first (session cookie or Bearer token).');
export const forbidden = (what = 'this action'): ApiError =>
  new ApiError(403, 'forbidden', `Your role does not allow ${what}.`);
/** Used for organizations the caller is not a member of, so their existence is not revealed. */
export const orgNotFound = (): ApiError => new ApiError(404, 'org_not_found', 'No such organization.');
export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `No such ${what}.`);
export const csrfFailed = (): ApiError =>
  new ApiError(403, 'csrf_failed', 'Missing or wrong X-CSRF-Token header for this session.');
