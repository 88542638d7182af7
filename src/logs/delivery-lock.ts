/**
 * Serializes "send to the sinks, read their positions, commit" across the streams of one process: sinks are
 * shared, and a file sink's stored position is only exact when no other stream wrote between a send and its
 * commit. Fetching pages stays concurrent.
 */
export interface DeliveryLock {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function createDeliveryLock(): DeliveryLock {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const result = tail.then(fn, fn);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
