/**
 * Recorded Duo replies for the log throughput bench: the pages are fetched from the emulator once (recording
 * the HTTP bodies), then served from memory to the real Duo client (signing, limiter, envelope parse) through
 * its `dispatcher` option, so the pipeline's rate is not the emulator's serving rate. Only the undici edge is
 * replaced; everything above it is the collector as it runs.
 */
import type { Dispatcher } from 'undici';
import type { HttpDispatcher } from '../src/duo/index.js';

/** A request's identity across runs: its path and query without `maxtime`, which follows the wall clock. */
export function replayKey(path: string): string {
  return path.replace(/([?&])maxtime=\d+&?/, '$1').replace(/[?&]$/, '');
}

type RequestOptions = Parameters<Dispatcher['request']>[0];

function reply(bytes: Buffer): Dispatcher.ResponseData {
  const body = {
    arrayBuffer: () => Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
  };
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body,
  } as unknown as Dispatcher.ResponseData;
}

/** Passes every request to `real` and keeps each reply's body by `replayKey`. */
export function recordingDispatcher(real: HttpDispatcher, bodies: Map<string, Buffer>): HttpDispatcher {
  return {
    async request(o: RequestOptions): Promise<Dispatcher.ResponseData> {
      const res = await real.request(o);
      const bytes = Buffer.from(await res.body.arrayBuffer());
      if (res.statusCode !== 200) throw new Error(`recording: HTTP ${String(res.statusCode)} for ${o.path}`);
      bodies.set(replayKey(o.path), bytes);
      return reply(bytes);
    },
  };
}

/** Serves recorded bodies; a request that was not recorded fails loudly (the runs must read the same pages). */
export function replayDispatcher(bodies: ReadonlyMap<string, Buffer>): HttpDispatcher {
  return {
    request(o: RequestOptions): Promise<Dispatcher.ResponseData> {
      const bytes = bodies.get(replayKey(o.path));
      if (bytes === undefined) return Promise.reject(new Error(`replay: no recorded reply for ${o.path}`));
      return Promise.resolve(reply(bytes));
    },
  };
}
