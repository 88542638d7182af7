import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A strict Splunk HEC receiver on loopback: `POST /services/collector/event` with `Authorization: Splunk
 * <token>`, gzip when `Content-Encoding: gzip`, a body of concatenated JSON objects each with a numeric `time`
 * and an `event`; with acknowledgement on, a `X-Splunk-Request-Channel` is required (code 10 otherwise), answers
 * carry an `ackId`, and `/services/collector/ack` reports an id indexed only after `ackDelayPolls` queries.
 * Answers and codes follow Splunk's (0 success, 2/4 token problems, 6 invalid data, 9 server busy).
 */
export interface HecReceiver {
  readonly url: string;
  readonly events: Array<Record<string, unknown>>;
  readonly violations: string[];
  readonly gzipped: number;
  ackDelayPolls: number;
  busy: boolean;
  close(): Promise<void>;
}

export async function startHecReceiver(token: string, opts: { ack: boolean }): Promise<HecReceiver> {
  const events: Array<Record<string, unknown>> = [];
  const violations: string[] = [];
  let gzipped = 0;
  let nextAck = 0;
  const pending = new Map<number, { polls: number; events: Array<Record<string, unknown>> }>();
  const state = { ackDelayPolls: 1, busy: false };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let raw = Buffer.concat(chunks);
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const auth = req.headers.authorization;
    if (auth === undefined) return reply(401, { text: 'Token is required', code: 2 });
    if (auth !== `Splunk ${token}`) return reply(403, { text: 'Invalid token', code: 4 });
    const channel = req.headers['x-splunk-request-channel'];
    const path = (req.url ?? '').split('?')[0];
    if (opts.ack && typeof channel !== 'string')
      return reply(400, { text: 'Data channel is missing', code: 10 });
    if (req.method === 'POST' && path === '/services/collector/ack') {
      const body = JSON.parse(raw.toString('utf8')) as { acks?: number[] };
      const acks: Record<string, boolean> = {};
      for (const id of body.acks ?? []) {
        const p = pending.get(id);
        if (p === undefined) {
          acks[String(id)] = false;
          continue;
        }
        p.polls += 1;
        acks[String(id)] = p.polls > state.ackDelayPolls;
        if (acks[String(id)]) {
          events.push(...p.events);
          pending.delete(id);
        }
      }
      return reply(200, { acks });
    }
    if (req.method !== 'POST' || path !== '/services/collector/event') {
      violations.push(`${req.method} ${req.url}`);
      return reply(404, { text: 'The requested URL was not found on this server.', code: 404 });
    }
    if (state.busy) return reply(503, { text: 'Server is busy', code: 9 });
    if (req.headers['content-encoding'] === 'gzip') {
      raw = gunzipSync(raw);
      gzipped += 1;
    }
    const got: Array<Record<string, unknown>> = [];
    for (const line of raw.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line) as Record<string, unknown>;
      } catch {
        violations.push('not JSON');
        return reply(400, { text: 'Invalid data format', code: 6 });
      }
      if (typeof obj.time !== 'number' || obj.event === undefined || typeof obj.sourcetype !== 'string') {
        violations.push(`bad event ${line.slice(0, 80)}`);
        return reply(400, { text: 'Invalid data format', code: 6 });
      }
      got.push(obj);
    }
    if (got.length === 0) return reply(400, { text: 'No data', code: 5 });
    if (opts.ack) {
      const id = nextAck++;
      pending.set(id, { polls: 0, events: got });
      return reply(200, { text: 'Success', code: 0, ackId: id });
    }
    events.push(...got);
    return reply(200, { text: 'Success', code: 0 });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violations.push(String(error));
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events,
    violations,
    get gzipped() {
      return gzipped;
    },
    get ackDelayPolls() {
      return state.ackDelayPolls;
    },
    set ackDelayPolls(v: number) {
      state.ackDelayPolls = v;
    },
    get busy() {
      return state.busy;
    },
    set busy(v: boolean) {
      state.busy = v;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
