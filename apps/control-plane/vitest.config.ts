import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'control-plane',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The cross-process files start several proxies each and one keeps traffic up through a
    // 30 s control-plane outage: run the files one after another so they never compete for the 2 cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
