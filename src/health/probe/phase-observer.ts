import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';

/**
 * The moments of one request on its own connection, in `now()` milliseconds. Each is set by the event itself:
 * the DNS guard's lookup (dns), the socket's TCP `connect` (connect), undici's `client:connected` after the
 * TLS handshake (tls), `client:sendHeaders` and `request:headers` (first byte). Unset means "not reached".
 */
export interface RequestTiming {
  startedAt: number;
  dnsStart?: number;
  dnsEnd?: number;
  dialStart?: number;
  tcpEnd?: number;
  tlsEnd?: number;
  headersSent?: number;
  firstByte?: number;
  endedAt?: number;
}

export interface PhasesMs {
  dns: number | null;
  connect: number | null;
  tls: number | null;
  ttfb: number | null;
  total: number | null;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
const span = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined ? null : round(Math.max(0, b - a));

/**
 * Phases as blackbox_exporter names them: dns (0 when the host is pinned and no lookup happens), connect
 * (TCP), tls (handshake), ttfb (request written → first response byte: the server's processing), total.
 */
export function phasesOf(t: RequestTiming): PhasesMs {
  const pinned = t.dnsStart === undefined && t.dialStart !== undefined;
  return {
    dns: pinned ? 0 : span(t.dnsStart, t.dnsEnd),
    connect: span(t.dialStart, t.tcpEnd),
    tls: span(t.tcpEnd, t.tlsEnd),
    ttfb: span(t.headersSent, t.firstByte),
    total: span(t.startedAt, t.endedAt),
  };
}

type Listener = (message: unknown, name: string | symbol) => void;

/**
 * Listens on undici's diagnostics channels and files each event under the probe it belongs to. Events are
 * process-wide, so they are matched by identity: the probe's connector registers the socket it dials (undici
 * wraps connector functions, so the `connector` it publishes is not ours to match), the connected socket leads
 * to the request written on it, and that request object to its response headers. Unrelated traffic (the rest
 * of duowatch) is ignored.
 */
export class PhaseObserver {
  readonly now: () => number;
  readonly #bySocket = new WeakMap<object, RequestTiming>();
  readonly #byRequest = new WeakMap<object, RequestTiming>();
  readonly #listeners: Array<[string, Listener]>;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
    this.#listeners = [
      [
        'undici:client:connected',
        (m) => {
          const t = this.#bySocket.get((m as { socket: object }).socket);
          if (t !== undefined) t.tlsEnd = this.now();
        },
      ],
      [
        'undici:client:sendHeaders',
        (m) => {
          const { request, socket } = m as { request: object; socket: object };
          const t = this.#bySocket.get(socket);
          if (t === undefined) return;
          t.headersSent = this.now();
          this.#byRequest.set(request, t);
        },
      ],
      [
        'undici:request:headers',
        (m) => {
          const t = this.#byRequest.get((m as { request: object }).request);
          if (t !== undefined) t.firstByte ??= this.now();
        },
      ],
    ];
    for (const [name, fn] of this.#listeners) subscribe(name, fn);
  }

  /** Files the events of a socket a probe just dialled under that probe's record. */
  track(socket: object, timing: RequestTiming): void {
    this.#bySocket.set(socket, timing);
  }

  close(): void {
    for (const [name, fn] of this.#listeners) unsubscribe(name, fn);
  }
}
