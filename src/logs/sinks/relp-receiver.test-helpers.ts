import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * A strict loopback RELP server for tests (the leaf edge; the real one is rsyslog's imrelp in the services
 * suite). It parses the client's frames on its own (not with the code under test), checks that transaction
 * numbers start at 1 and go up by one, and answers each `syslog` command as `answer` decides.
 */
export type RelpAnswer =
  | 'ok' // 200 OK
  | 'hold' // keep the answer until release()
  | 'serverclose' // send `0 serverclose 0` and drop the connection
  | 'drop' // destroy the connection without a word
  | 'silent' // never answer
  | { refuse: string }; // rsp with this text, e.g. "500 queue full"

export interface ClientFrame {
  readonly txnr: number;
  readonly command: string;
  readonly data: string;
}

export interface RelpReceiver {
  readonly port: number;
  /** Messages answered 200, in order (duplicates included). */
  readonly accepted: string[];
  /** Every frame each connection sent, in order; one array per connection. */
  readonly sessions: ClientFrame[][];
  /** Largest number of `syslog` commands received and not yet answered, over all connections. */
  maxOutstanding: number;
  /** How answers are chosen; `n` counts syslog commands over the receiver's life, from 0. */
  answer: (message: string, n: number) => RelpAnswer;
  /** The `rsp` text for `open` (default: 200 OK with the syslog command offered); null = never answer. */
  openAnswer: string | null;
  /** Answers every held message 200 (they count as accepted then). */
  release(): void;
  /** Destroys every connection. */
  dropAll(): void;
  close(): Promise<void>;
}

const OPEN_OK = '200 OK\nrelp_version=0\nrelp_software=test-receiver\ncommands=syslog';

function rsp(txnr: number, text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  return Buffer.from(`${String(txnr)} rsp ${String(data.length)} ${data.toString('utf8')}\n`, 'utf8');
}

export async function startRelpReceiver(): Promise<RelpReceiver> {
  const conns = new Set<Socket>();
  const held: Array<() => void> = [];
  let count = 0;
  const r: RelpReceiver = {
    port: 0,
    accepted: [],
    sessions: [],
    maxOutstanding: 0,
    answer: () => 'ok',
    openAnswer: OPEN_OK,
    release() {
      for (const h of held.splice(0)) h();
    },
    dropAll() {
      for (const c of conns) c.destroy();
    },
    close: () => new Promise<void>((resolve) => (r.dropAll(), server.close(() => resolve()))),
  };

  const server: Server = createServer((socket) => {
    conns.add(socket);
    socket.on('close', () => conns.delete(socket));
    socket.on('error', () => undefined);
    const frames: ClientFrame[] = [];
    r.sessions.push(frames);
    let buf = Buffer.alloc(0);
    let outstanding = 0;
    const fail = (why: string): void => {
      frames.push({ txnr: -1, command: 'PROTOCOL-ERROR', data: why });
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const m = /^([0-9]{1,9}) ([a-z]{1,32}) ([0-9]{1,9})(?=[ \n])/.exec(
          buf.subarray(0, 60).toString('latin1'),
        );
        if (m === null) {
          if (buf.length >= 60 || (buf.length > 0 && !/^[0-9]/.test(buf.toString('latin1', 0, 1))))
            fail(`bad header: ${buf.subarray(0, 60).toString('latin1')}`);
          return;
        }
        const len = Number(m[3]);
        const start = m[0].length + (len > 0 ? 1 : 0);
        if (buf.length < start + len + 1) return;
        if ((len > 0 && buf[m[0].length] !== 0x20) || buf[start + len] !== 0x0a) return fail('bad frame');
        const frame = {
          txnr: Number(m[1]),
          command: m[2]!,
          data: buf.subarray(start, start + len).toString('utf8'),
        };
        buf = buf.subarray(start + len + 1);
        const expected = (frames.at(-1)?.txnr ?? 0) + 1;
        frames.push(frame);
        if (frame.txnr !== expected) return fail(`txnr ${String(frame.txnr)}, expected ${String(expected)}`);
        if (frame.command === 'open') {
          if (r.openAnswer !== null) socket.write(rsp(frame.txnr, r.openAnswer));
          continue;
        }
        if (frame.command === 'close') {
          socket.end(rsp(frame.txnr, '200 OK'));
          continue;
        }
        if (frame.command !== 'syslog') return fail(`unknown command ${frame.command}`);
        outstanding++;
        r.maxOutstanding = Math.max(r.maxOutstanding, outstanding);
        const a = r.answer(frame.data, count++);
        const ok = (): void => {
          if (socket.destroyed) return;
          outstanding--;
          r.accepted.push(frame.data);
          socket.write(rsp(frame.txnr, '200 OK'));
        };
        if (a === 'ok') ok();
        else if (a === 'hold') held.push(ok);
        else if (a === 'serverclose') {
          socket.end('0 serverclose 0\n');
          return;
        } else if (a === 'drop') {
          socket.destroy();
          return;
        } else if (a !== 'silent') {
          outstanding--;
          socket.write(rsp(frame.txnr, a.refuse));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (r as { port: number }).port = (server.address() as AddressInfo).port;
  return r;
}
