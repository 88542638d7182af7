import type { Duplex } from 'node:stream';

/**
 * The client side of RELP, the Reliable Event Logging Protocol of rsyslog's librelp (docs/log-sinks.md, "RELP").
 * Every frame is `TXNR SP COMMAND SP DATALEN [SP DATA] LF`; the client numbers its commands 1, 2, 3, … and the
 * server answers each with `rsp` carrying the same number and `200 OK` or `500 <reason>`. A message counts as
 * received only when its `200` arrived, which plain syslog over TCP cannot tell.
 */

/** Why a session failed; the sink turns these into its `SinkError` codes. */
export type RelpFailure =
  | 'refused' // the server answered 500 (to `open`: it will not talk to us; to `syslog`: it did not take it)
  | 'closed' // the connection ended, or the server sent `serverclose`, before every answer arrived
  | 'timeout' // no answer within the time limit (a hung server)
  | 'protocol' // the server sent something that is not RELP
  | 'aborted'; // the caller gave up (its AbortSignal)

export class RelpError extends Error {
  readonly failure: RelpFailure;
  constructor(failure: RelpFailure, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'RelpError';
    this.failure = failure;
  }
}

export interface RelpFrame {
  readonly txnr: number;
  readonly command: string;
  readonly data: Buffer;
}

/** librelp's limits: TXNR and DATALEN have at most 9 digits; transaction numbers wrap from 999,999,999 to 1. */
const MAX_TXNR = 999_999_999;
const MAX_DIGITS = 9;
/** Answers are short (`200 OK`, the open offers); anything much larger is not a RELP server talking. */
const MAX_ANSWER_BYTES = 64 * 1024;

export function relpFrame(txnr: number, command: string, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const head = Buffer.from(
    body.length === 0 ? `${String(txnr)} ${command} 0` : `${String(txnr)} ${command} ${String(body.length)} `,
    'ascii',
  );
  return Buffer.concat([head, body, LF]);
}

const LF = Buffer.from('\n');

/** Reads server frames from a byte stream; throws `RelpError('protocol')` on anything that is not RELP. */
export class RelpParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RelpFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: RelpFrame[] = [];
    for (;;) {
      const frame = this.next();
      if (frame === null) return out;
      out.push(frame);
    }
  }

  private next(): RelpFrame | null {
    const b = this.buffer;
    const sp1 = b.indexOf(0x20);
    if (sp1 < 0) return this.incomplete(MAX_DIGITS);
    const sp2 = b.indexOf(0x20, sp1 + 1);
    if (sp2 < 0) return this.incomplete(sp1 + 1 + 32);
    // DATALEN ends at the SP before the data, or at the LF when there is no data.
    let end = sp2 + 1;
    while (end < b.length && b[end]! >= 0x30 && b[end]! <= 0x39) end++;
    if (end === b.length) return this.incomplete(sp2 + 1 + MAX_DIGITS);
    const txnr = digits(b.subarray(0, sp1));
    const command = b.subarray(sp1 + 1, sp2).toString('ascii');
    const dataLen = digits(b.subarray(sp2 + 1, end));
    if (txnr === null || dataLen === null || !/^[a-z]{1,32}$/.test(command)) throw bad(b);
    if (dataLen > MAX_ANSWER_BYTES) throw new RelpError('protocol', `answer of ${String(dataLen)} bytes`);
    let at = end;
    if (dataLen > 0 || b[at] === 0x20) {
      if (b[at] !== 0x20) throw bad(b);
      at++;
    }
    if (b.length < at + dataLen + 1) return null;
    if (b[at + dataLen] !== 0x0a) throw new RelpError('protocol', 'frame without its LF trailer');
    const data = Buffer.from(b.subarray(at, at + dataLen));
    this.buffer = b.subarray(at + dataLen + 1);
    return { txnr, command, data };
  }

  /** A header still arriving, unless it is already longer than a header can be. */
  private incomplete(limit: number): null {
    if (this.buffer.length > limit) throw bad(this.buffer);
    return null;
  }
}

function digits(b: Buffer): number | null {
  if (b.length === 0 || b.length > MAX_DIGITS || !/^[0-9]+$/.test(b.toString('ascii'))) return null;
  return Number(b.toString('ascii'));
}

function bad(b: Buffer): RelpError {
  // Printable ASCII of the first bytes only: enough to recognise what answered, never a whole payload.
  const shown = b
    .subarray(0, 40)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return new RelpError('protocol', `not a RELP frame: "${shown}"`);
}

/** `200`, alone or followed by a space or a line break: the answer to nearly every message, checked cheaply. */
function isOk(data: Buffer): boolean {
  return (
    data.length >= 3 &&
    data[0] === 0x32 &&
    data[1] === 0x30 &&
    data[2] === 0x30 &&
    (data.length === 3 || data[3] === 0x20 || data[3] === 0x0a)
  );
}

/** The status of an `rsp`: `200 OK` is success; any other code is a refusal with the server's reason. */
export function answerStatus(data: Buffer): { ok: boolean; code: number; text: string; rest: string } {
  const s = data.toString('utf8');
  const nl = s.indexOf('\n');
  const line = nl < 0 ? s : s.slice(0, nl);
  const code = /^[0-9]{3}/.test(line) ? Number(line.slice(0, 3)) : 0;
  // The reason is the server's text; cut and made printable so it can go into a log line.
  const text = line.slice(0, 200).replace(/[^\x20-\x7e]/g, '?');
  return { ok: code === 200, code, text, rest: nl < 0 ? '' : s.slice(nl + 1) };
}

export interface RelpSessionOptions {
  /** Most `syslog` commands sent and not yet answered (librelp's default window is 128). */
  readonly window: number;
  /** Longest wait for the next answer; a server that does not answer in time is treated as down. */
  readonly timeoutMs: number;
  /** `relp_software` offer: `name,version,url` as librelp writes it. */
  readonly software: string;
}

type Waiter = (frame: RelpFrame | RelpError) => void;

/**
 * One RELP session over a connected socket (plain TCP or TLS). `open` negotiates; `sendAll` resolves once every
 * message got `200`, with at most `window` unanswered at a time. Any failure ends the session and destroys the
 * socket, because answers still on their way could not be matched to a later batch; the caller opens a new one.
 */
export class RelpSession {
  private readonly parser = new RelpParser();
  private readonly waiting = new Map<number, Waiter>();
  private lastTxnr = 0;
  private failure: RelpError | null = null;

  private constructor(
    private readonly socket: Duplex,
    private readonly o: RelpSessionOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: Error) =>
      this.end(new RelpError('closed', `connection failed: ${error.message}`, { cause: error })),
    );
    socket.on('close', () => this.end(new RelpError('closed', 'connection closed')));
    socket.on('end', () => this.end(new RelpError('closed', 'connection closed by the server')));
  }

  /** Opens a session: `open` with our offers, refused unless the server answers 200 and offers `syslog`. */
  static async open(socket: Duplex, o: RelpSessionOptions, signal?: AbortSignal): Promise<RelpSession> {
    const session = new RelpSession(socket, o);
    const offers = `relp_version=0\nrelp_software=${o.software}\ncommands=syslog`;
    const answer = await session.command('open', Buffer.from(offers, 'utf8'), signal);
    const status = answerStatus(answer.data);
    if (!status.ok) {
      session.end(new RelpError('refused', `open refused: ${status.text}`));
      throw new RelpError('refused', `open refused: ${status.text}`);
    }
    const commands = /(?:^|\n)commands=([^\n]*)/.exec(status.rest)?.[1]?.split(',') ?? [];
    if (!commands.includes('syslog')) {
      session.end(new RelpError('refused', 'the server does not offer the syslog command'));
      throw new RelpError('refused', 'the server does not offer the syslog command');
    }
    return session;
  }

  get alive(): boolean {
    return this.failure === null;
  }

  /** Sends every message as a `syslog` command; resolves when each was answered 200. */
  sendAll(messages: readonly Buffer[], signal: AbortSignal): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let answered = 0;
      let inFlight = 0;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (error?: RelpError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) return resolve();
        this.end(error);
        reject(error);
      };
      // The limit is on silence, not on the whole batch: every answer shows the server is alive.
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(
          () => settle(new RelpError('timeout', `no answer within ${String(this.o.timeoutMs)} ms`)),
          this.o.timeoutMs,
        );
      };
      const onAbort = (): void => settle(new RelpError('aborted', 'aborted while waiting for answers'));
      const onAnswer: Waiter = (frame) => {
        if (frame instanceof RelpError) return settle(frame);
        inFlight--;
        if (!isOk(frame.data)) {
          return settle(new RelpError('refused', `message refused: ${answerStatus(frame.data).text}`));
        }
        answered++;
        if (answered === messages.length) return settle();
        arm();
        // Refill once per chunk of answers, not once per answer: one write instead of one per message.
        if (!refillQueued) {
          refillQueued = true;
          queueMicrotask(() => {
            refillQueued = false;
            if (!settled) pump();
          });
        }
      };
      let refillQueued = false;
      const pump = (): void => {
        const parts: Buffer[] = [];
        while (next < messages.length && inFlight < this.o.window) {
          const txnr = this.nextTxnr();
          this.waiting.set(txnr, onAnswer);
          const message = messages[next]!;
          parts.push(Buffer.from(`${String(txnr)} syslog ${String(message.length)} `, 'latin1'), message, LF);
          next++;
          inFlight++;
        }
        // The window bounds what the server may have to answer for; everything it allows goes in one write.
        if (parts.length > 0) this.socket.write(Buffer.concat(parts));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) return onAbort();
      arm();
      pump();
    });
  }

  /** Ends the session politely (`close`, then its answer), or at once when it already failed. */
  async close(): Promise<void> {
    if (this.failure === null) {
      await this.command('close', Buffer.alloc(0)).catch(() => undefined);
      this.end(new RelpError('closed', 'session closed'), false);
    }
    if (!this.socket.destroyed) {
      await new Promise<void>((resolve) => {
        this.socket.once('close', () => resolve());
        this.socket.end();
        // A server that never closes its side must not hold up our shutdown.
        setTimeout(() => this.socket.destroy(), this.o.timeoutMs).unref();
      });
    }
  }

  /** One command and its answer (open, close). */
  private command(command: string, data: Buffer, signal?: AbortSignal): Promise<RelpFrame> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise<RelpFrame>((resolve, reject) => {
      const txnr = this.nextTxnr();
      const done = (frame: RelpFrame | RelpError): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (frame instanceof RelpError) reject(frame);
        else resolve(frame);
      };
      const onAbort = (): void => this.end(new RelpError('aborted', `aborted during ${command}`));
      const timer = setTimeout(
        () =>
          this.end(new RelpError('timeout', `no answer to ${command} within ${String(this.o.timeoutMs)} ms`)),
        this.o.timeoutMs,
      );
      this.waiting.set(txnr, done);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.socket.write(relpFrame(txnr, command, data));
    });
  }

  private nextTxnr(): number {
    this.lastTxnr = this.lastTxnr >= MAX_TXNR ? 1 : this.lastTxnr + 1;
    return this.lastTxnr;
  }

  private onData(chunk: Buffer): void {
    if (this.failure !== null) return;
    let frames: RelpFrame[];
    try {
      frames = this.parser.push(chunk);
    } catch (error) {
      return this.end(error instanceof RelpError ? error : new RelpError('protocol', String(error)));
    }
    for (const frame of frames) {
      if (frame.command === 'serverclose')
        return this.end(new RelpError('closed', 'the server closed the session'));
      const waiter = frame.command === 'rsp' ? this.waiting.get(frame.txnr) : undefined;
      if (waiter === undefined) {
        return this.end(
          new RelpError('protocol', `unexpected "${frame.command}" for transaction ${String(frame.txnr)}`),
        );
      }
      this.waiting.delete(frame.txnr);
      waiter(frame);
    }
  }

  /** Fails every waiter with `error` and drops the connection; later calls keep the first reason. */
  private end(error: RelpError, destroy = true): void {
    if (this.failure !== null) return;
    this.failure = error;
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiters) w(error);
    if (destroy) this.socket.destroy();
  }
}
