import { describe, expect, it } from 'vitest';
import { parseDiscoveryFile } from './discoveryFile';
import { serviceKeyFromAuthority } from './discoverySource';

describe('discovery file', () => {
  it('groups endpoints by service.namespace with defaults for workload and pod', () => {
    const r = parseDiscoveryFile(
      'endpoints:\n  - { namespace: shop, service: reviews, address: 127.0.0.1, port: 9080, version: v2 }\ndestinations:\n  reviews.shop: { timeoutMs: 500 }\n',
      'd.yaml',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.state.byService.get('reviews.shop')).toEqual([
      {
        namespace: 'shop',
        service: 'reviews',
        workload: 'reviews',
        pod: 'reviews-127.0.0.1-9080',
        version: 'v2',
        address: '127.0.0.1',
        port: 9080,
      },
    ]);
    expect(r.state.policies.get('reviews.shop')).toEqual({ timeoutMs: 500 });
  });

  it('maps service addresses (ClusterIPs) to their service and refuses an address owned twice', () => {
    const r = parseDiscoveryFile(
      'destinations:\n  reviews.shop: { addresses: ["10.96.0.10:9080"], maxRetries: 1 }\n',
      'd.yaml',
    );
    expect(r.ok && [...r.state.byAddress]).toEqual([['10.96.0.10:9080', 'reviews.shop']]);
    expect(r.ok && r.state.policies.get('reviews.shop')).toEqual({ maxRetries: 1 });
    const twice = parseDiscoveryFile(
      'destinations:\n  a.shop: { addresses: ["10.96.0.10:80"] }\n  b.shop: { addresses: ["10.96.0.10:80"] }\n',
      'd.yaml',
    );
    expect(twice).toEqual({
      ok: false,
      error: "d.yaml: destinations.b.shop.addresses: 10.96.0.10:80 is already a.shop's",
    });
    expect(
      parseDiscoveryFile('destinations:\n  a.shop: { addresses: ["a.shop"] }\n', 'd.yaml'),
    ).toEqual({
      ok: false,
      error: 'd.yaml: destinations.a.shop.addresses.0: must be ip:port, e.g. 10.96.0.10:80',
    });
  });

  it('names the file and field of a problem', () => {
    const r = parseDiscoveryFile(
      '{"endpoints":[{"namespace":"Shop!","service":"a","address":"x","port":1,"extra":1}]}',
      'd.json',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContain('d.json');
    expect(r.error).toContain('endpoints.0.namespace');
    expect(r.error).toContain('extra');
  });
});

describe('serviceKeyFromAuthority', () => {
  it('accepts the mesh name forms', () => {
    expect(serviceKeyFromAuthority('reviews.shop')).toBe('reviews.shop');
    expect(serviceKeyFromAuthority('Reviews.Shop:9080')).toBe('reviews.shop');
    expect(serviceKeyFromAuthority('reviews.shop.svc.cluster.local:80')).toBe('reviews.shop');
    expect(serviceKeyFromAuthority('reviews')).toBeUndefined();
    expect(serviceKeyFromAuthority('a.b.c')).toBeUndefined();
  });
});
