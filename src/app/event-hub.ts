import type { CollectedEvent, LogEventHub } from './shared.js';

/** In-process fan-out of delivered log events; a failing subscriber is reported and never blocks the rest. */
export function createLogEventHub(onError: (error: unknown) => void): LogEventHub {
  const listeners = new Set<(events: readonly CollectedEvent[]) => Promise<void> | void>();
  return {
    async publish(events) {
      if (events.length === 0) return;
      for (const listener of [...listeners]) {
        try {
          await listener(events);
        } catch (error) {
          onError(error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
