import {
  createDuoClient,
  DuoApiError,
  DuoConfigError,
  type DuoClient,
  type DuoClientOptions,
  type DuoRequest,
  type PingResult,
} from '../../../duo/index.js';
import { printJson, type CliIo } from '../../io.js';
import { resolveDuo, type DuoCliOptions } from './credentials.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Injected in tests (a dispatcher routed to a fake or the emulator). */
export type ClientFactory = (options: DuoClientOptions) => DuoClient;

function sigVersion(opts: DuoCliOptions): 2 | 5 {
  if (opts.sigVersion === undefined || opts.sigVersion === '5') return 5;
  if (opts.sigVersion === '2') return 2;
  throw new DuoConfigError('duo_invalid_option', '--sig-version must be 5 or 2');
}

export function parseParams(pairs: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0)
      throw new DuoConfigError('duo_invalid_option', `parameter ${JSON.stringify(pair)} is not key=value`);
    const [k, v] = [pair.slice(0, i), pair.slice(i + 1)];
    const prev = out[k];
    out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  return out;
}

async function withClient<T>(
  opts: DuoCliOptions,
  io: CliIo,
  factory: ClientFactory,
  fn: (c: DuoClient, secrets: string[]) => Promise<T>,
): Promise<T> {
  const duo = await resolveDuo(opts, io);
  const client = factory({
    ikey: duo.ikey,
    skey: duo.skey,
    host: duo.host,
    transport: duo.transport,
    sigVersion: sigVersion(opts),
    ...(duo.timeoutMs === undefined ? {} : { timeoutMs: duo.timeoutMs }),
  });
  try {
    return await fn(client, [duo.skey, duo.ikey]);
  } finally {
    await client.close();
  }
}

export async function runDuoCall(
  call: { method: string; path: string; params: string[] },
  opts: DuoCliOptions,
  io: CliIo,
  factory: ClientFactory = createDuoClient,
): Promise<void> {
  const method = call.method.toUpperCase() as DuoRequest['method'];
  if (!METHODS.includes(method))
    throw new DuoConfigError('duo_invalid_option', `method must be one of ${METHODS.join(', ')}`);
  if (!call.path.startsWith('/') || call.path.includes('?'))
    throw new DuoConfigError(
      'duo_invalid_option',
      'path must start with / and carry no query; pass key=value parameters',
    );
  const params = parseParams(call.params);
  await withClient(opts, io, factory, async (client, secrets) => {
    const reply = await client.request({ method, path: call.path, params });
    const body: Record<string, unknown> = { stat: 'OK', response: reply.response };
    for (const key of ['next_offset', 'prev_offset', 'total_objects'] as const)
      if (reply.paging[key] != null) body[key] = reply.paging[key];
    // A server could echo what we sent; never let a credential reach the terminal.
    io.stdout.write(scrub(JSON.stringify(body, null, 2), secrets) + '\n');
  });
}

export async function runDuoProbe(
  kind: 'ping' | 'check',
  opts: DuoCliOptions,
  io: CliIo,
  factory: ClientFactory = createDuoClient,
): Promise<void> {
  await withClient(opts, io, factory, async (client) => {
    let result: PingResult;
    let note: string | undefined;
    try {
      result = kind === 'ping' ? await client.auth.ping() : await client.auth.check();
    } catch (error) {
      // Duo's own credential checker: an Admin key on /auth/v2/check gets 40301, which still proves the
      // host, key and signature (docs/duo-wire.md §5).
      if (kind === 'check' && error instanceof DuoApiError && error.duoCode === 40301) {
        const ping = await client.auth.ping();
        result = ping;
        note = 'key and signature accepted (40301: not an Auth API key, as expected for Admin keys)';
      } else throw error;
    }
    const out = {
      host: client.host,
      ok: true,
      latencyMs: result.latencyMs,
      clockSkewMs: result.clockSkewMs,
      serverTime: new Date(result.time * 1000).toISOString(),
      ...(note === undefined ? {} : { note }),
    };
    if (opts.json === true) printJson(io, out);
    else {
      const skew = (result.clockSkewMs / 1000).toFixed(1);
      io.stdout.write(
        `${kind}: ${out.host} ok, ${String(result.latencyMs)} ms, clock skew ${result.clockSkewMs >= 0 ? '+' : ''}${skew} s` +
          `${Math.abs(result.clockSkewMs) > 60_000 ? ' (too far: Duo rejects requests more than 300 s off; fix the clock)' : ''}` +
          `${note === undefined ? '' : `\n${note}`}\n`,
      );
    }
  });
}

/** Replaces every credential in output text (no truncation, unlike error-message redaction). */
function scrub(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 4).reduce((t, s) => t.split(s).join('[redacted]'), text);
}
