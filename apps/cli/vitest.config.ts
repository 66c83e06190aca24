import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // the integration tests start real processes (tsx, the BFF) on a shared 2-core machine
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
