/**
 * Emulator throughput, so client benchmarks are never bound by it (docs/emulator.md):
 * signed page requests served per second in-process and over TLS, and the time to build a 1000-event
 * auth-log page. Rate limits are off; the signed request is replayed (Duo has no replay protection,
 * docs/duo-wire.md §2.7) so the number measures the server, not the signer.
 */
import autocannon from 'autocannon';
import { signRequest } from '../src/duo/sign/index.js';
import { createEmulator } from '../src/emulator/index.js';

interface Row {
  name: string;
  value: number;
  unit: string;
  note?: string;
  higherIsBetter?: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export default async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const emu = await createEmulator({ seed: 'bench', users: 2000, rateLimit: false });
  const t = emu.credentials()[0];
  if (t === undefined) throw new Error('no tenant');
  const path = '/admin/v1/users';
  const signed = signRequest({
    ikey: t.admin.ikey,
    skey: t.admin.skey,
    method: 'GET',
    host: t.hostname,
    path,
    params: { limit: '100', offset: '0' },
  });
  const url = `https://${t.hostname}${path}?${signed.query}`;

  // In-process: app.fetch with no socket, bounded by time.
  let pageBytes = 0;
  for (let i = 0; i < 50; i++) {
    pageBytes = (await (await emu.app.fetch(new Request(url, { headers: signed.headers }))).arrayBuffer())
      .byteLength;
  }
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < 3000) {
    const res = await emu.app.fetch(new Request(url, { headers: signed.headers }));
    if (res.status !== 200) throw new Error(`unexpected ${String(res.status)}`);
    await res.arrayBuffer();
    n++;
  }
  rows.push({
    name: 'in-process signed page requests',
    value: Math.round(n / ((performance.now() - started) / 1000)),
    unit: 'req/s',
    note: `GET /admin/v1/users limit=100 (${String(Math.round(pageBytes / 1024))} KiB), v5, verified and serialized; one caller, sequential`,
    higherIsBetter: true,
  });

  // Over TLS on 127.0.0.1 with autocannon (same process: load generator and server share the event loop).
  const server = await emu.listen({ port: 0 });
  try {
    const result = await autocannon({
      url: `https://127.0.0.1:${String(server.port)}${path}?${signed.query}`,
      servername: t.hostname,
      headers: { ...signed.headers },
      connections: 10,
      duration: 3,
    });
    if (result.non2xx > 0) throw new Error(`${String(result.non2xx)} non-2xx answers over TLS`);
    rows.push({
      name: 'TLS signed page requests',
      value: Math.round(result.requests.average),
      unit: 'req/s',
      note: 'autocannon, 10 connections, 3 s, keep-alive, same process as the server',
      higherIsBetter: true,
    });
  } finally {
    await server.close();
  }

  // A 1000-event auth-log page: the world's query alone, and the whole signed request with serialization.
  const tenant = emu.world.tenant(t.hostname);
  const now = emu.world.clock.now();
  const week = 7 * 86_400_000;
  const worldTimes: number[] = [];
  let events = 0;
  for (let i = 0; i < 10; i++) {
    const s = performance.now();
    const page = tenant.authLog({
      mintime: now - week + i * 3_600_000,
      maxtime: now - 120_000,
      limit: 1000,
      sort: 'ts:asc',
    });
    worldTimes.push(performance.now() - s);
    events = page.events.length;
  }
  rows.push({
    name: '1000-event auth-log page (world query)',
    value: Number(median(worldTimes).toFixed(2)),
    unit: 'ms',
    note: `median of 10, ${String(events)} events/page`,
  });
  const requestTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const s2 = signRequest({
      ikey: t.admin.ikey,
      skey: t.admin.skey,
      method: 'GET',
      host: t.hostname,
      path: '/admin/v2/logs/authentication',
      params: {
        mintime: String(now - week + i * 3_600_000 + 1),
        maxtime: String(now),
        limit: '1000',
        sort: 'ts:asc',
      },
    });
    const s = performance.now();
    const res = await emu.app.fetch(
      new Request(`https://${t.hostname}/admin/v2/logs/authentication?${s2.query}`, { headers: s2.headers }),
    );
    const text = await res.text();
    requestTimes.push(performance.now() - s);
    if (res.status !== 200) throw new Error(text);
  }
  rows.push({
    name: '1000-event auth-log page (signed request, serialized)',
    value: Number(median(requestTimes).toFixed(2)),
    unit: 'ms',
    note: 'median of 10, in-process',
  });
  return rows;
}
