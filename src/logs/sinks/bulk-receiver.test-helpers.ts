import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A strict Elasticsearch `_bulk` receiver on loopback, for sink tests: it checks the request as Elasticsearch
 * would (method, path, NDJSON content type, ApiKey auth, action/source pairs, `create` only into
 * `logs-*-*` data streams with an `_id` and an `@timestamp`, trailing newline) and answers per item: 201,
 * 409 for an `_id` it already holds, 400 `mapper_parsing_exception` for documents a test marks, 429 while a
 * test asks for it. Any protocol violation is recorded and answered 400, which fails the test.
 */
export interface BulkReceiver {
  readonly url: string;
  readonly docs: Map<string, Record<string, unknown>>;
  readonly violations: string[];
  readonly requests: number;
  /** Document ids answered 400 mapper_parsing_exception. */
  readonly poison: Set<string>;
  /** Document ids answered 429 this many more times. */
  readonly throttle: Map<string, number>;
  /** Whole-request status to answer (e.g. 503) while set. */
  failWith: number | null;
  close(): Promise<void>;
}

export async function startBulkReceiver(apiKeyEncoded: string): Promise<BulkReceiver> {
  const docs = new Map<string, Record<string, unknown>>();
  const violations: string[] = [];
  const poison = new Set<string>();
  const throttle = new Map<string, number>();
  let requests = 0;
  const state = { failWith: null as number | null };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests += 1;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(JSON.stringify(body));
    };
    const violation = (what: string): void => {
      violations.push(what);
      reply(400, { error: { type: 'illegal_argument_exception', reason: what }, status: 400 });
    };
    if (req.method !== 'POST' || req.url !== '/_bulk') return violation(`${req.method} ${req.url}`);
    if (req.headers.authorization !== `ApiKey ${apiKeyEncoded}`) {
      res.writeHead(401, { 'x-elastic-product': 'Elasticsearch', 'content-type': 'application/json' });
      res.end('{"error":{"type":"security_exception"},"status":401}');
      return;
    }
    if (!String(req.headers['content-type']).startsWith('application/x-ndjson'))
      return violation('content-type');
    if (state.failWith !== null)
      return reply(state.failWith, { error: 'unavailable', status: state.failWith });
    if (!text.endsWith('\n')) return violation('body must end with a newline');
    const lines = text.slice(0, -1).split('\n');
    if (lines.length % 2 !== 0) return violation('odd number of lines');
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      let action: Record<string, Record<string, unknown>>;
      let source: Record<string, unknown>;
      try {
        action = JSON.parse(lines[i]!) as typeof action;
        source = JSON.parse(lines[i + 1]!) as typeof source;
      } catch {
        return violation(`line ${i} is not JSON`);
      }
      const keys = Object.keys(action);
      if (keys.length !== 1 || keys[0] !== 'create')
        return violation(`data streams accept only create (${keys.join()})`);
      const meta = action.create!;
      const index = String(meta._index);
      const id = meta._id;
      if (!/^logs-cisco_duo\.[a-z0-9_]+-[a-z0-9_]+$/.test(index)) return violation(`index ${index}`);
      if (typeof id !== 'string' || id === '') return violation('missing _id');
      if (typeof source['@timestamp'] !== 'string') return violation('missing @timestamp');
      const ds = source.data_stream as Record<string, unknown> | undefined;
      if (ds === undefined || `logs-${String(ds.dataset)}-${String(ds.namespace)}` !== index) {
        return violation(`data_stream fields do not match ${index}`);
      }
      const key = `${index}/${id}`;
      const left = throttle.get(id) ?? 0;
      if (left > 0) {
        throttle.set(id, left - 1);
        items.push({
          create: {
            _index: index,
            _id: id,
            status: 429,
            error: { type: 'es_rejected_execution_exception', reason: 'queue full' },
          },
        });
      } else if (poison.has(id)) {
        items.push({
          create: {
            _index: index,
            _id: id,
            status: 400,
            error: {
              type: 'mapper_parsing_exception',
              reason: 'failed to parse field [cisco_duo.auth.alias] of type [keyword]',
            },
          },
        });
      } else if (docs.has(key)) {
        items.push({
          create: {
            _index: index,
            _id: id,
            status: 409,
            error: {
              type: 'version_conflict_engine_exception',
              reason: `[${id}]: version conflict, document already exists`,
            },
          },
        });
      } else {
        docs.set(key, source);
        items.push({ create: { _index: index, _id: id, _version: 1, result: 'created', status: 201 } });
      }
    }
    const errors = items.some((it) => (it as { create: { status: number } }).create.status >= 300);
    reply(200, { took: 1, errors, items });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violations.push(String(error));
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const receiver = {
    url: `http://127.0.0.1:${port}`,
    docs,
    violations,
    get requests() {
      return requests;
    },
    poison,
    throttle,
    get failWith() {
      return state.failWith;
    },
    set failWith(v: number | null) {
      state.failWith = v;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return receiver;
}
