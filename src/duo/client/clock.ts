/** Time as the client sees it; injected so tests never really sleep (docs/duo-client.md). */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Server-minus-local clock offset, learned from `/auth/v2/ping`'s `time` and every reply's `Date` header
 * (docs/duo-wire.md §5). Both have one-second resolution, so the estimate is the sample's midpoint against the
 * request's midpoint; the latest sample wins (clocks drift, and an old sample is worse than a new one).
 */
export class SkewTracker {
  private skew: number | undefined;

  observe(serverMs: number, sentAt: number, receivedAt: number): number {
    const local = sentAt + (receivedAt - sentAt) / 2;
    // Date headers truncate to the second; add half a second so the expected error is centred on zero.
    this.skew = Math.round(serverMs + 500 - local);
    return this.skew;
  }

  get(): number | undefined {
    return this.skew;
  }
}
