import type { SinkEvent } from './types.js';
import { formatLines } from './format.js';
import type { DeliveryGuarantee, LogFormat, LogSink } from './types.js';
import { SinkError } from './types.js';

/** The narrow slice of a stream the stdout sink needs (process.stdout by default). */
export interface LineWriter {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
}

export interface StdoutSinkOptions {
  readonly name?: string;
  readonly format?: LogFormat;
  readonly out?: LineWriter;
}

/**
 * NDJSON on standard output, for `logs once` pipelines and containers whose runtime ships stdout. A pipe has
 * no acknowledgement beyond the write callback, so this sink is at-least-once.
 */
export function createStdoutSink(options: StdoutSinkOptions = {}): LogSink {
  const name = options.name ?? 'stdout';
  const format = options.format ?? 'raw';
  const out: LineWriter = options.out ?? process.stdout;
  const guarantee: DeliveryGuarantee = 'at_least_once';
  return {
    name,
    guarantee,
    async send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
      if (batch.length === 0) return;
      signal.throwIfAborted();
      const text = formatLines(batch, format);
      await new Promise<void>((resolve, reject) => {
        out.write(text, (error) => {
          if (error) reject(new SinkError('sink.unavailable', name, `write failed: ${error.message}`));
          else resolve();
        });
      });
    },
    async close(): Promise<void> {},
  };
}
