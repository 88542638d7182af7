import type { CollectedEvent } from '../app/index.js';
import type { LogSink } from './sinks/types.js';

/**
 * A leaf-edge sink for collector tests: keeps what it was sent in memory and behaves like an exactly-once sink
 * (its position is the number of events kept; `restore` truncates to it). `failNext` makes sends fail.
 */
export class RecorderSink implements LogSink {
  readonly name: string;
  readonly guarantee = 'exactly_once' as const;
  events: CollectedEvent[] = [];
  failNext = 0;
  sends = 0;
  constructor(name = 'recorder') {
    this.name = name;
  }
  send(batch: readonly CollectedEvent[]): Promise<void> {
    this.sends += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      // Half the batch lands before the failure, as a torn write would.
      this.events.push(...batch.slice(0, Math.floor(batch.length / 2)));
      return Promise.reject(new Error('recorder: receiver down'));
    }
    this.events.push(...batch);
    return Promise.resolve();
  }
  position(): Promise<string> {
    return Promise.resolve(String(this.events.length));
  }
  restore(position: string | null): Promise<void> {
    this.events = this.events.slice(0, position === null ? 0 : Number(position));
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
