/**
 * Where a running device sync says how far it is, so the dashboard can show a progress bar while the REST
 * call that started it is still waiting for the run to end (docs/devices.md "Live progress"). In memory, per
 * process: only one sync per integration runs at a time (the lease), and the last one of each integration
 * stays readable for a while after it ends so a page polling a little late still sees the outcome.
 */
import type { SyncOutcome, SyncProgress } from './sync-types.js';

export type ProgressPhase = 'starting' | SyncProgress['phase'] | 'done';

export interface RunProgress {
  running: boolean;
  phase: ProgressPhase;
  done: number;
  total: number;
  trigger: string;
  dryRun: boolean;
  startedAt: Date;
  updatedAt: Date;
  outcome: SyncOutcome | null;
}

export interface ProgressBoard {
  /** False (and nothing changes) while another run of the integration is on the board. */
  start(integrationId: string, run: { trigger: string; dryRun: boolean }): boolean;
  update(integrationId: string, p: SyncProgress): void;
  finish(integrationId: string, outcome: SyncOutcome): void;
  get(integrationId: string): RunProgress | undefined;
}

const KEEP_FINISHED_MS = 10 * 60_000;
const MAX_ENTRIES = 1000;

export function createProgressBoard(clock: () => Date = () => new Date()): ProgressBoard {
  const runs = new Map<string, RunProgress>();
  const prune = () => {
    const old = clock().getTime() - KEEP_FINISHED_MS;
    for (const [k, r] of runs) if (!r.running && r.updatedAt.getTime() < old) runs.delete(k);
    // Bounded whatever happens: the oldest entries go first (Map keeps insertion order).
    for (const k of runs.keys()) {
      if (runs.size <= MAX_ENTRIES) break;
      runs.delete(k);
    }
  };
  return {
    start(id, run) {
      if (runs.get(id)?.running === true) return false;
      const now = clock();
      runs.delete(id);
      runs.set(id, {
        running: true,
        phase: 'starting',
        done: 0,
        total: 0,
        trigger: run.trigger,
        dryRun: run.dryRun,
        startedAt: now,
        updatedAt: now,
        outcome: null,
      });
      prune();
      return true;
    },
    update(id, p) {
      const r = runs.get(id);
      if (r === undefined || !r.running) return;
      runs.set(id, { ...r, phase: p.phase, done: p.done, total: p.total, updatedAt: clock() });
    },
    finish(id, outcome) {
      const r = runs.get(id);
      if (r === undefined) return;
      runs.set(id, { ...r, running: false, phase: 'done', outcome, updatedAt: clock() });
    },
    get: (id) => {
      const r = runs.get(id);
      return r === undefined ? undefined : { ...r };
    },
  };
}
