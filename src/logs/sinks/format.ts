import type { SinkEvent } from './types.js';
import { formatRaw } from './format-raw.js';
import type { LogFormat } from './types.js';
import { formatEcs } from './format-ecs.js';

/** One event as the JSON object a sink writes, in the configured format. */
export function formatEvent(event: SinkEvent, format: LogFormat): Record<string, unknown> {
  switch (format) {
    case 'raw':
      return formatRaw(event);
    case 'ecs':
      return formatEcs(event);
  }
}

/** NDJSON for a batch: one line per event, each ending in `\n`. */
export function formatLines(batch: readonly SinkEvent[], format: LogFormat): string {
  let text = '';
  for (const event of batch) text += JSON.stringify(formatEvent(event, format)) + '\n';
  return text;
}
