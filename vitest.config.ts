import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    // Generous: CLI tests spawn model sessions, and a loaded 2-core machine can take 3x the quiet time.
    testTimeout: 180_000,
    // Model sessions are memory-heavy; two cores: keep files in few workers.
    maxWorkers: 2,
  },
});
