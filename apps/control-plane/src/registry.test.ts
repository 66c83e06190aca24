import type { EndpointRegistration } from '@meshlens/cp-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type EndpointRegistry } from './registry';

const reg = (port: number, version = 'v1'): EndpointRegistration => ({
  namespace: 'shop',
  service: 'reviews',
  workload: 'reviews',
  pod: `reviews-${port}`,
  version,
  serviceAccount: 'reviews',
  address: '127.0.0.1',
  port,
  adminAddress: '127.0.0.1',
  adminPort: port + 1,
  proxyVersion: '0.1.0',
});

describe('createRegistry', () => {
  let now = 0;
  let registry: EndpointRegistry;
  afterEach(() => registry.close());

  it('announces additions and metadata changes, not plain renewals', () => {
    registry = createRegistry({ leaseTtlMs: 1000, now: () => now });
    const changes: string[] = [];
    registry.onChange((s) => changes.push(s));
    expect(registry.upsert(reg(1))).toBe(true);
    expect(registry.upsert(reg(1))).toBe(false);
    expect(registry.upsert(reg(1, 'v2'))).toBe(true);
    expect(changes).toEqual(['reviews.shop', 'reviews.shop']);
    expect(registry.forService('reviews.shop')).toMatchObject({
      revision: 2,
      endpoints: [{ port: 1, version: 'v2' }],
    });
    expect(registry.forService('other.shop')).toEqual({ revision: 0, endpoints: [] });
  });

  it('drops an endpoint whose lease was not renewed at the next sweep', async () => {
    registry = createRegistry({ leaseTtlMs: 1000, sweepMs: 10, now: () => now });
    registry.upsert(reg(1));
    registry.upsert(reg(2));
    const removed = new Promise<void>((resolve) => registry.onChange(() => resolve()));
    now = 900;
    registry.upsert(reg(2)); // renewed until 1900
    now = 1000;
    await removed;
    expect(registry.list().map((e) => e.port)).toEqual([2]);
    expect(registry.size()).toBe(1);
    expect(
      registry.remove({ namespace: 'shop', service: 'reviews', address: '127.0.0.1', port: 2 }),
    ).toBe(true);
    expect(registry.serviceCount()).toBe(0);
  });
});
