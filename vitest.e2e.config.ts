import { defineConfig } from 'vitest/config';

/** The browser tests (npm run test:e2e): the real stack on ephemeral ports, driven through Debian's Chromium. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One browser at a time: the machine has two cores.
    fileParallelism: false,
  },
});
