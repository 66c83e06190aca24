import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'inject',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
