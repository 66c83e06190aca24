import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'proxy',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
