// The narrow slice of pg-boss 10 the pgboss engine uses (docs/conventions.md §4), so the engine is testable with a fake
// and the vendor stays swappable.

export interface BossJob {
  readonly id: string;
  readonly data: unknown;
  /** pg-boss increments it each time an expired or failed job is fetched again. */
  readonly retryCount: number;
  readonly expireInSeconds: number;
}

export interface BossSendOptions {
  readonly id?: string;
  readonly startAfter?: Date;
  readonly retryLimit?: number;
  readonly retryDelay?: number;
  readonly expireInSeconds?: number;
}

export interface BossPort {
  start(): Promise<unknown>;
  stop(opts: { graceful: boolean; wait: boolean; timeout: number }): Promise<void>;
  createQueue(name: string, opts: { retryLimit?: number; expireInSeconds?: number }): Promise<void>;
  send(name: string, data: object, opts: BossSendOptions): Promise<string | null>;
  work(
    name: string,
    opts: { includeMetadata: true; batchSize: 1; pollingIntervalSeconds: number },
    handler: (jobs: BossJob[]) => Promise<unknown>,
  ): Promise<string>;
  offWork(name: string): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface BossConfig {
  readonly connectionString: string;
  readonly schema: string;
  readonly maintenanceIntervalSeconds: number;
}
