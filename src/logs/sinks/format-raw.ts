import type { SinkEvent } from './types.js';

/** What every raw line carries besides Duo's own keys (docs/log-sinks.md, "Formats"). */
export interface DuowatchTag {
  readonly id: string;
  readonly stream: SinkEvent['stream'];
  readonly org: string;
}

/**
 * Duo's event object unchanged, plus one top-level `duowatch` key. Duo's keys keep their order and values; a
 * `duowatch` key Duo might one day send would be replaced, which is why the tag has a name Duo does not use.
 */
export function formatRaw(event: SinkEvent): Record<string, unknown> {
  const tag: DuowatchTag = { id: event.id, stream: event.stream, org: event.orgSlug };
  return { ...event.raw, duowatch: tag };
}
