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

  it('keeps a held lease past its TTL and runs the TTL from its release', async () => {
    registry = createRegistry({ leaseTtlMs: 1000, sweepMs: 10, now: () => now });
    now = 0;
    const held = registry.hold(reg(1));
    expect(held.changed).toBe(true);
    registry.upsert(reg(2)); // a plain lease beside it: its removal proves a sweep ran
    const swept = new Promise<void>((resolve) => registry.onChange(() => resolve()));
    now = 5000;
    await swept;
    expect(registry.list().map((e) => e.port)).toEqual([1]);

    held.release();
    held.release(); // idempotent: one holder is released once
    now = 5999;
    registry.upsert(reg(3));
    const expired = new Promise<void>((resolve) =>
      registry.onChange(() => {
        if (registry.list().every((e) => e.port !== 1)) resolve();
      }),
    );
    now = 6000;
    await expired;
    expect(registry.list().map((e) => e.port)).toEqual([3]);
  });

  it('releases only the lease it held, not one registered anew after a removal', async () => {
    registry = createRegistry({ leaseTtlMs: 1000, sweepMs: 10, now: () => now });
    now = 0;
    const first = registry.hold(reg(1));
    const second = registry.hold(reg(1)); // two streams of one endpoint: held until both go
    expect(second.changed).toBe(false);
    first.release();
    const where = { namespace: 'shop', service: 'reviews', address: '127.0.0.1', port: 1 };
    expect(registry.remove(where)).toBe(true);
    const third = registry.hold(reg(1));
    second.release(); // held the removed lease: must not release the new one
    registry.upsert(reg(2));
    const swept = new Promise<void>((resolve) => registry.onChange(() => resolve()));
    now = 5000;
    await swept;
    expect(registry.list().map((e) => e.port)).toEqual([1]);
    third.release();
  });
});
