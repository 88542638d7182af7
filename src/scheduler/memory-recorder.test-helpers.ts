import { randomUUID } from 'node:crypto';
import type { RunFinish, RunRecorder, RunStart, RunStatus } from './types.js';

export interface RecordedRun extends RunStart {
  readonly runId: string;
  readonly startedAt: number;
  status: RunStatus | 'running';
  finishedAt?: number;
  result?: RunFinish;
}

/**
 * In-memory RunRecorder for tests and for embedding without a database. The lead adapts the storage
 * issue's job_runs repository to the same interface for production.
 */
export class MemoryRunRecorder implements RunRecorder {
  readonly runs: RecordedRun[] = [];

  constructor(private readonly now: () => number = () => Date.now()) {}

  start(run: RunStart): Promise<string> {
    const runId = randomUUID();
    this.runs.push({ ...run, runId, startedAt: this.now(), status: 'running' });
    return Promise.resolve(runId);
  }

  finish(runId: string, result: RunFinish): Promise<void> {
    const run = this.runs.find((r) => r.runId === runId);
    if (!run) return Promise.reject(new Error(`unknown run ${runId}`));
    if (run.status !== 'running') return Promise.reject(new Error(`run ${runId} already finished`));
    run.status = result.status;
    run.result = result;
    run.finishedAt = this.now();
    return Promise.resolve();
  }

  closeAbandoned(jobId: string): Promise<void> {
    for (const run of this.runs) {
      if (run.jobId === jobId && run.status === 'running') {
        run.status = 'interrupted';
        run.result = { status: 'interrupted', errorKind: 'process_lost' };
        run.finishedAt = this.now();
      }
    }
    return Promise.resolve();
  }

  byKind(kind: string): RecordedRun[] {
    return this.runs.filter((r) => r.kind === kind);
  }
}
