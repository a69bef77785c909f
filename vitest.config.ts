import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reaper comes second so its teardown runs first, while the Redis a leaked worker retries still answers.
    globalSetup: ['test/helpers/global-redis.ts', 'test/helpers/global-reaper.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests each start their own simulators on free ports; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
