import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'prom',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The oracle test queries a real Prometheus; on a loaded CI machine a query round can be slow.
    testTimeout: 30_000,
  },
});
