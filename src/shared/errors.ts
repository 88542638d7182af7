/**
 * The base of every error duowatch raises on purpose. `code` is stable (tests, the API and the CLI match on
 * it); `exitCode` is what the CLI's top-level handler exits with; `status` is the HTTP status the REST API
 * answers with. Subclasses redact secrets in their constructor (docs/conventions.md §2), so a message is always safe
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
// ANSI CSI sequences (Duo's mock injects them into messages), then C0 controls except tab and newline, DEL
// and C1 controls. Matching control characters is the point here.
/* eslint-disable no-control-regex */
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */

export function stripControl(text: string): string {
  return text.replace(ANSI_SEQUENCE, '').replace(CONTROL, '');
}
