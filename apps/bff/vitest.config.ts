import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'bff',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Process tests start tsx children; on a loaded 2-core machine that takes seconds.
    testTimeout: 90_000,
    hookTimeout: 30_000,
  },
});
