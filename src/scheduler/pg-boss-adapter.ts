import PgBoss from 'pg-boss';
import type { BossConfig, BossPort } from './boss-port.js';

/** Production port: a real pg-boss. This module is imported lazily, so SQLite mode never loads pg-boss. */
export function createPgBoss(config: BossConfig): BossPort {
  const boss = new PgBoss({
    connectionString: config.connectionString,
    schema: config.schema,
    // We do not use pg-boss's minute-granular cron (see docs/scheduler.md): slots come from our driver.
    schedule: false,
    // Maintenance is what fails over a job whose process died (`started_on + expire_in < now()`).
    supervise: true,
    maintenanceIntervalSeconds: config.maintenanceIntervalSeconds,
    migrate: true,
  });
  return {
    start: () => boss.start(),
    stop: (opts) => boss.stop(opts),
    createQueue: (name, opts) => boss.createQueue(name, { name, ...opts }),
    send: (name, data, opts) => boss.send(name, data, { ...opts }),
    work: (name, opts, handler) =>
      // pg returns EXTRACT(epoch …) as a numeric string.
      boss.work(name, opts, (jobs: PgBoss.JobWithMetadata[]) =>
        handler(
          jobs.map((j) => ({
            id: j.id,
            data: j.data,
            retryCount: j.retryCount,
            expireInSeconds: Number(j.expireInSeconds),
          })),
        ),
      ),
    offWork: (name) => boss.offWork(name),
    on: (event, listener) => boss.on(event, listener),
  };
}
