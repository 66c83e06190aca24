import { runtimeEnv } from '@meshlens/inject';
import { describe, expect, it } from 'vitest';
import { bffEnv } from './local';

describe('meshlens dashboard: the BFF child environment', () => {
  it("gets meshlens's runtime settings (two malloc arenas) and keeps the caller's variables", () => {
    const env = bffEnv({ PATH: '/usr/bin', KUBECONFIG: '/k' });
    expect(env).toEqual({ MALLOC_ARENA_MAX: '2', PATH: '/usr/bin', KUBECONFIG: '/k' });
    expect(runtimeEnv).toEqual({ MALLOC_ARENA_MAX: '2' });
  });

  it("lets the caller's own value win", () => {
    expect(bffEnv({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
  });
});
