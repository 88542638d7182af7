import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { isIP, connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import { version } from '../../version.js';
import { RelpError, RelpSession } from './relp.js';
import type { SinkEvent } from './types.js';
import type { ResolvedTls } from './sink-config.js';
import { frameBatch, syslogMessage, truncateMessage } from './syslog-message.js';
import type { SyslogMessageOptions } from './syslog-message.js';
import type { LogSink, SinkStats } from './types.js';
import { SinkError } from './types.js';

export interface SyslogSinkOptions {
  readonly name: string;
  readonly transport: 'udp' | 'tcp' | 'tls' | 'relp' | 'relp-tls';
  readonly host: string;
  readonly port: number;
  readonly framing: 'octet-counting' | 'lf';
  /** UDP: longer messages are cut to this many bytes, with a marker, and counted. */
  readonly maxMessageBytes: number;
  readonly message: SyslogMessageOptions;
  readonly tls: ResolvedTls;
  readonly timeoutMs: number;
  /** RELP: most messages sent and not yet acknowledged (default 128, librelp's). */
  readonly window?: number;
}

/** TLS failures that retrying will not fix: a certificate problem is a configuration problem. */
const TLS_CONFIG_ERRORS = /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ERR_TLS|ERR_SSL|ERR_OSSL/;

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code
    ? `${e.code}${e.message && !e.message.includes(e.code) ? ` (${e.message})` : ''}`
    : String(e.message ?? error);
}

/**
 * RFC 5424 syslog over UDP (RFC 5426), TCP (RFC 6587, octet counting or LF), TLS (RFC 5425, octet counting) or
 * RELP (plain or TLS), docs/log-sinks.md "Syslog". At-least-once: a batch is acknowledged when the whole of it
 * has been written to the socket — with RELP, when the receiver answered 200 to every message of it; a
 * connection that fails part-way fails the batch, which is then sent again in full.
 */
export function createSyslogSink(o: SyslogSinkOptions): LogSink {
  const stats = { sent: 0, truncated: 0 };
  let socket: Socket | null = null;
  let relp: RelpSession | null = null;
  let udp: UdpSocket | null = null;
  const overTls = o.transport === 'tls' || o.transport === 'relp-tls';
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };

  const unavailable = (what: string, cause?: unknown): SinkError =>
    new SinkError(
      'sink.unavailable',
      o.name,
      `${what} ${o.transport}://${o.host}:${o.port}${cause === undefined ? '' : `: ${describe(cause)}`}`,
      cause === undefined ? {} : { cause },
    );

  function classify(error: unknown, what: string): SinkError {
    if (error instanceof SinkError) return error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (overTls && TLS_CONFIG_ERRORS.test(code)) {
      return new SinkError('sink.config', o.name, `TLS to ${o.host}:${o.port} refused: ${describe(error)}`, {
        cause: error,
      });
    }
    return unavailable(what, error);
  }

  function drop(s: Socket): void {
    if (socket === s) socket = null;
    s.destroy();
  }

  /** A connected TCP or TLS socket, with no listener but the ones of the connect itself. */
  function dial(): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const t = o.tls;
      const verifyName = t.servername ?? o.host;
      const sock = overTls
        ? tlsConnect({
            host: o.host,
            port: o.port,
            ...(t.ca === null ? {} : { ca: t.ca }),
            ...(t.cert === null ? {} : { cert: t.cert }),
            ...(t.key === null ? {} : { key: t.key }),
            ...(t.passphrase === null ? {} : { passphrase: t.passphrase }),
            // SNI only for names (RFC 6066); the certificate is checked against the configured name, or the
            // host we dialled when none is configured.
            ...(isIP(verifyName) === 0 ? { servername: verifyName } : {}),
            checkServerIdentity: (_host: string, cert) => checkServerIdentity(verifyName, cert),
            rejectUnauthorized: !t.insecureSkipVerify,
          })
        : netConnect({ host: o.host, port: o.port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(unavailable(`connect timed out after ${o.timeoutMs} ms to`));
      }, o.timeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        sock.destroy();
        reject(classify(error, 'cannot connect to'));
      };
      sock.once(overTls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        sock.off('error', onError);
        resolve(sock);
      });
      sock.once('error', onError);
    });
  }

  async function connectStream(): Promise<Socket> {
    if (socket !== null && !socket.destroyed && socket.writable) return socket;
    const s = await dial();
    // After connecting: an error or close only marks the connection gone; the next send reconnects.
    s.on('error', () => drop(s));
    s.on('close', () => drop(s));
    s.on('end', () => drop(s));
    s.setKeepAlive(true, 30_000);
    s.resume(); // receivers do not talk back; never let unread data stall the socket
    socket = s;
    return s;
  }

  async function sendStream(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
    const s = await connectStream();
    const data = frameBatch(batch, o.message, o.framing);
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (error?: SinkError): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.off('close', onClose);
        signal.removeEventListener('abort', onAbort);
        if (error) {
          drop(s);
          reject(error);
        } else resolve();
      };
      const onClose = (): void => finish(unavailable('connection closed while sending to'));
      const onAbort = (): void => finish(unavailable('aborted while sending to'));
      const timer = setTimeout(
        () => finish(unavailable(`write timed out after ${o.timeoutMs} ms to`)),
        o.timeoutMs,
      );
      s.once('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
      s.write(data, (error) => finish(error ? classify(error, 'write failed to') : undefined));
    });
    stats.sent += batch.length;
  }

  /** RELP failures as sink errors: all are worth retrying except a server that will not open a session. */
  function relpError(error: unknown, opening: boolean): SinkError {
    if (!(error instanceof RelpError))
      return classify(error, opening ? 'cannot open RELP to' : 'RELP failed to');
    if (opening && error.failure === 'refused') {
      return new SinkError('sink.config', o.name, `RELP server ${o.host}:${o.port}: ${error.message}`, {
        cause: error,
      });
    }
    return new SinkError(
      'sink.unavailable',
      o.name,
      `${o.transport}://${o.host}:${o.port}: ${error.message} (RELP ${error.failure})`,
      { cause: error },
    );
  }

  async function relpSession(signal: AbortSignal): Promise<RelpSession> {
    if (relp !== null && relp.alive) return relp;
    relp = null;
    const s = await dial();
    s.setKeepAlive(true, 30_000);
    const session = await RelpSession.open(
      s,
      { window: o.window ?? 128, timeoutMs: o.timeoutMs, software: `duowatch,${version},-` },
      signal,
    ).catch((error: unknown) => {
      s.destroy();
      throw relpError(error, true);
    });
    relp = session;
    return session;
  }

  async function sendRelp(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
    const session = await relpSession(signal);
    const messages = batch.map((event) => syslogMessage(event, o.message));
    await session.sendAll(messages, signal).catch((error: unknown) => {
      throw relpError(error, false);
    });
    stats.sent += batch.length;
  }

  async function udpSocket(): Promise<UdpSocket> {
    if (udp !== null) return udp;
    const sock = createSocket(isIP(o.host) === 6 ? 'udp6' : 'udp4');
    // Connected UDP: an ICMP "port unreachable" comes back as ECONNREFUSED on a later send.
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.connect(o.port, o.host, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    sock.on('error', () => {
      if (udp === sock) udp = null;
      sock.close();
    });
    udp = sock;
    return sock;
  }

  async function sendUdp(batch: readonly SinkEvent[]): Promise<void> {
    const sock = await udpSocket().catch((error: unknown) => {
      throw classify(error, 'cannot reach');
    });
    for (const event of batch) {
      const cut = truncateMessage(syslogMessage(event, o.message), o.maxMessageBytes);
      if (cut.truncated) stats.truncated += 1;
      await new Promise<void>((resolve, reject) => {
        sock.send(cut.message, (error) => {
          if (!error) return resolve();
          if (udp === sock) udp = null;
          sock.close();
          reject(classify(error, 'send failed to'));
        });
      });
      stats.sent += 1;
    }
  }

  return {
    name: o.name,
    guarantee: 'at_least_once',
    send(batch, signal): Promise<void> {
      return serial(async () => {
        if (closed) throw unavailable('closed:');
        signal.throwIfAborted();
        if (batch.length === 0) return;
        if (o.transport === 'udp') await sendUdp(batch);
        else if (o.transport === 'relp' || o.transport === 'relp-tls') await sendRelp(batch, signal);
        else await sendStream(batch, signal);
      });
    },
    stats(): SinkStats {
      return { ...stats };
    },
    close(): Promise<void> {
      return serial(async () => {
        closed = true;
        const s = socket;
        socket = null;
        if (s !== null) await new Promise<void>((resolve) => s.end(() => resolve()));
        const r = relp;
        relp = null;
        if (r !== null) await r.close();
        const u = udp;
        udp = null;
        if (u !== null) await new Promise<void>((resolve) => u.close(() => resolve()));
      });
    },
  };
}
