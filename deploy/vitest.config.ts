import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'deploy',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // entry points are asked for their --help with real processes (tsx) on a shared machine
    testTimeout: 120_000,
  },
});
