import type { Endpoint } from '@meshlens/cp-client';
import { describe, expect, it } from 'vitest';
import { Destinations } from '../destinations';
import { FileDiscovery } from '../discovery/fileDiscovery';
import { ControlPlaneDiscovery } from './cpDiscovery';

const ep = (port: number, version: string): Endpoint => ({
  namespace: 'shop',
  service: 'reviews',
  workload: `reviews-${version}`,
  pod: `reviews-${version}-${port}`,
  version,
  serviceAccount: 'reviews',
  address: '127.0.0.1',
  port,
  adminAddress: '127.0.0.1',
  adminPort: port + 1,
  proxyVersion: '0.1.0',
  registeredAt: '2026-01-01T00:00:00Z',
});

/** A control-plane client whose watch pushes are driven by the test. */
function fakeClient() {
  const watchers = new Map<string, (eps: Endpoint[], addresses?: string[]) => void>();
  return {
    watchers,
    watchEndpoints(service: string, onUpdate: (eps: Endpoint[], addresses: string[]) => void) {
      watchers.set(service, (eps, addresses = []) => onUpdate(eps, addresses));
      return () => watchers.delete(service);
    },
  };
}

describe('ControlPlaneDiscovery', () => {
  it('knows a watched service by the addresses the control plane sends with its endpoints', async () => {
    const client = fakeClient();
    const dests = new Destinations([new ControlPlaneDiscovery(client)], 'p2c');
    const pending = dests.resolve('reviews.shop');
    client.watchers.get('reviews.shop')?.([ep(1000, 'v1')], ['10.96.0.10:9080']);
    await pending;
    expect(dests.serviceAt('10.96.0.10', 9080)).toBe('reviews.shop');
    expect(dests.serviceAt('10.96.0.10', 80)).toBeUndefined();
  });

  it('opens a watch on first use, waits for the snapshot and follows pushes', async () => {
    const client = fakeClient();
    const cp = new ControlPlaneDiscovery(client);
    const dests = new Destinations([cp], 'p2c');
    const pending = dests.resolve('reviews.shop', { version: 'v2' });
    client.watchers.get('reviews.shop')?.([ep(1000, 'v1'), ep(2000, 'v2')]);
    const dest = await pending;
    expect(dest?.balancer.all().map((s) => s.info.port)).toEqual([2000]);
    client.watchers.get('reviews.shop')?.([ep(1000, 'v1'), ep(2000, 'v2'), ep(3000, 'v2')]);
    expect(dest?.balancer.all().map((s) => s.info.port)).toEqual([2000, 3000]);
    expect(dest?.balancer.all()[0]?.info.serviceAccount).toBe('reviews');
  });

  it('keeps the last endpoints while no update comes (control plane away)', async () => {
    const client = fakeClient();
    const cp = new ControlPlaneDiscovery(client);
    const pending = cp.prepare('reviews.shop');
    client.watchers.get('reviews.shop')?.([ep(1000, 'v1')]);
    await pending;
    // The client reports nothing while disconnected: the state stays.
    expect(cp.endpoints('reviews.shop')?.map((e) => e.port)).toEqual([1000]);
  });

  it('lets a discovery file answer for services the control plane has no endpoints for', async () => {
    const client = fakeClient();
    const cp = new ControlPlaneDiscovery(client);
    const file = new FileDiscovery({
      file: '/nonexistent',
      logger: { info: () => undefined, error: () => undefined },
    });
    Object.assign(file, {
      endpoints: (s: string) =>
        s === 'legacy.shop' ? [{ ...ep(4000, 'v1'), service: 'legacy' }] : undefined,
    });
    const dests = new Destinations([cp, file], 'p2c');
    const pending = dests.resolve('legacy.shop');
    client.watchers.get('legacy.shop')?.([]);
    expect((await pending)?.balancer.all().map((s) => s.info.port)).toEqual([4000]);
  });
});
