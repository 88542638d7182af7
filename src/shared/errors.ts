/**
 * The base of every error duowatch raises on purpose. `code` is stable (tests, the API and the CLI match on
 * it); `exitCode` is what the CLI's top-level handler exits with; `status` is the HTTP status the REST API
 * answers with. Subclasses redact secrets in their constructor (style.md §2), so a message is always safe
 * to log.
 */
export class DuowatchError extends Error {
  readonly code: string;
  readonly status: number;
  readonly exitCode: number;

  constructor(
    code: string,
    message: string,
    options: { status?: number; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
    this.exitCode = options.exitCode ?? 1;
  }

  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Strips control characters (ANSI escapes included) from text a remote party chose, before we show it. */
export function stripControl(text: string): string {
  // C0 controls except tab/newline, DEL, C1 controls, and the ESC that starts ANSI sequences.
  // eslint-disable-next-line no-control-regex
  return text
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
