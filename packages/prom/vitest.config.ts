import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'prom',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
