import type { Capability } from '../app/capability.js';
import { evidenceJobs, runFirstCollection } from './jobs.js';

/**
 * Compliance evidence as a capability (docs/evidence.md): its two scheduled jobs, and a first collection as
 * soon as the scheduler runs. Its tables are the core store's; its routes and commands are the server's
 * and the CLI's evidence ones, over the services.
 */
export const evidenceCapability: Capability = {
  name: 'evidence',
  start(ctx) {
    return Promise.resolve({
      jobs: evidenceJobs({ store: ctx.store, jobs: ctx.services, config: ctx.config }),
      afterStart: (scheduler) => runFirstCollection(scheduler, ctx.store),
    });
  },
};
