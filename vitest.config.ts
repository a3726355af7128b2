import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // Model sessions are memory-heavy; two cores: keep files in few workers.
    maxWorkers: 2,
  },
});
