/**
 * When `serve` delivers the alerts routes: at once when this process's alerts capability announces a change
 * (the feed), and on a sweep every few seconds for what the feed cannot tell — changes stored by other
 * processes (`duowatch alerts ack`, another `serve`) and streams whose back-off has run out. One delivery runs
 * at a time; nudges during it are gathered into the next.
 */
export interface AlertPump {
  /** Deliver this organization's changes soon (all organizations without an id). */
  nudge(orgId?: string): void;
  /** Starts the sweep and runs a first delivery of every organization. */
  start(): void;
  /** Stops the sweep and waits for the delivery under way. */
  close(): Promise<void>;
}

export interface AlertPumpOptions {
  /** Delivers the given organizations (null: every organization whose routes carry alerts). */
  run(orgIds: readonly string[] | null): Promise<void>;
  readonly sweepMs: number;
  onError(error: unknown): void;
  readonly setInterval?: (fn: () => void, ms: number) => { unref?(): unknown };
  readonly clearInterval?: (timer: unknown) => void;
}

export function createAlertPump(o: AlertPumpOptions): AlertPump {
  const every = o.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const stopEvery = o.clearInterval ?? ((t) => clearInterval(t as NodeJS.Timeout));
  let pending: Set<string> | 'all' | null = null;
  let running: Promise<void> | null = null;
  let timer: { unref?(): unknown } | null = null;
  let closed = false;

  async function loop(): Promise<void> {
    while (pending !== null && !closed) {
      const work = pending;
      pending = null;
      try {
        await o.run(work === 'all' ? null : [...work]);
      } catch (error) {
        o.onError(error);
      }
    }
    running = null;
  }

  const pump: AlertPump = {
    nudge(orgId) {
      if (closed) return;
      if (orgId === undefined || pending === 'all') pending = 'all';
      else {
        pending ??= new Set<string>();
        pending.add(orgId);
      }
      running ??= loop();
    },
    start() {
      if (closed || timer !== null) return;
      timer = every(() => pump.nudge(), o.sweepMs);
      // The sweep alone never keeps the process alive (serve's server does).
      timer.unref?.();
      pump.nudge();
    },
    async close() {
      closed = true;
      if (timer !== null) stopEvery(timer);
      await running;
    },
  };
  return pump;
}
