import { RunAbort } from './execute-run.js';
import type { ActiveRun } from './execute-run.js';
import type { Timers } from './types.js';

/**
 * Aborts every running handler (reason: shutdown), waits up to `timeoutMs` for them to settle, and records
 * the ones that ignore their signal as `interrupted` so no run record is left open by a clean stop.
 */
export async function interruptActive(
  active: Set<ActiveRun>,
  timeoutMs: number,
  timers: Timers,
): Promise<number> {
  const runs = [...active];
  for (const run of runs) run.controller.abort(new RunAbort('shutdown'));
  if (runs.length === 0) return 0;
  await settleWithin(
    runs.map((r) => r.settled),
    timeoutMs,
    timers,
  );
  let forced = 0;
  for (const run of runs) {
    const closed = await run.finishOnce({
      status: 'interrupted',
      errorKind: 'shutdown',
      errorMessage: `handler did not stop within ${timeoutMs} ms of shutdown`,
    });
    if (closed) forced += 1;
  }
  return forced;
}

/** Waits for `work` to settle, but never longer than `timeoutMs`. */
export async function settleWithin(
  work: readonly Promise<unknown>[],
  timeoutMs: number,
  timers: Timers,
): Promise<void> {
  if (work.length === 0 || timeoutMs <= 0) return;
  let handle: unknown;
  const timedOut = new Promise<void>((resolve) => {
    handle = timers.setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.allSettled(work), timedOut]);
  timers.clearTimeout(handle);
}
