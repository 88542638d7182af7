import { defineConfig } from 'vitest/config';

// `npm test`: everything that needs no system service. The suites under test/services need PostgreSQL,
// Chromium or rsyslog and run from .ci/run through vitest.services.config.ts.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/services/**', 'node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default in a run is one worker fewer than the cores: one on this 2-core machine, which made
    // `npm test` serial (~520 s) and `.ci/run` brush its 20-minute budget.
    maxWorkers: 2,
  },
});
