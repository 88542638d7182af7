import type { CheckpointRepository } from './checkpoint.repository.js';
import type { LogSink } from './sinks/index.js';

/**
 * Before the first send: every exactly-once sink goes back to the position stored with the last commit
 * (cutting what a crash left uncommitted). A sink with nothing stored yet records where it starts, so a crash
 * before the first commit is cut too.
 */
export async function prepareSinks(
  sinks: readonly LogSink[],
  repo: CheckpointRepository,
  now: () => number,
): Promise<void> {
  for (const sink of sinks) {
    if (sink.restore === undefined) continue;
    const stored = await repo.sinkPosition(sink.name);
    await sink.restore(stored);
    if (stored === null && sink.position !== undefined)
      await repo.savePosition(sink.name, await sink.position(), now());
  }
}
