import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-redis.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests each start their own simulators on free ports; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
