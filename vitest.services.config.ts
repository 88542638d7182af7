import { defineConfig } from 'vitest/config';

// Suites that need system services. .ci/run sets DUOWATCH_REQUIRE_SERVICES=1 so a missing service fails
// the run instead of skipping.
export default defineConfig({
  test: {
    include: ['test/services/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
