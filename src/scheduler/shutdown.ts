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
  let handle: unknown;
  const timedOut = new Promise<void>((resolve) => {
    handle = timers.setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.all(runs.map((r) => r.settled)), timedOut]);
  timers.clearTimeout(handle);
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
