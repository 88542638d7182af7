import type { Kysely, Migration } from 'kysely';

/**
 * The queue job a run executes (pg-boss job id in the multi-process scheduler). When a process dies mid-run,
 * the retrying process closes the abandoned run by this id (scheduler `RunRecorder.closeAbandoned`).
 */
export function jobRunQueueIdMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('job_runs').addColumn('job_id', 'text').execute();
      await db.schema.createIndex('job_runs_job_id').on('job_runs').columns(['job_id']).execute();
    },
  };
}
