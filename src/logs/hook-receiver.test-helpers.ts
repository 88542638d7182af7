import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver on loopback for the alert-delivery tests (the webhook sink's body: `{"events": [...]}` with
 * each event's `duowatch.id`), whose answer the test sets with `mode`.
 */
export interface HookReceiver {
  url: string;
  /**
   * 'hang': never answer (the requests are kept open until released); 'ok': 200 and record the ids; 'refuse':
   * 400 to everything (a SIEM that is down or rejects).
   */
  mode: 'hang' | 'ok' | 'refuse';
  requests: number;
  accepted: string[];
  release(): void;
  close(): Promise<void>;
}

export async function hookReceiver(): Promise<HookReceiver> {
  const hung: ServerResponse[] = [];
  const r = {
    mode: 'hang' as HookReceiver['mode'],
    requests: 0,
    accepted: [] as string[],
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.requests += 1;
      if (r.mode === 'hang') {
        hung.push(res);
        return;
      }
      if (r.mode === 'refuse') {
        res.writeHead(400).end('no');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        events: Array<{ duowatch: { id: string } }>;
      };
      for (const e of body.events) r.accepted.push(e.duowatch.id);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(r, {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/alerts`,
    release() {
      for (const res of hung.splice(0)) res.destroy();
    },
    close() {
      for (const res of hung.splice(0)) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
