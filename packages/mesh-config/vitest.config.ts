import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'mesh-config',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
