import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Azurite's blob service for the tests of the shared Azure store.
    globalSetup: ['test/azurite-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
