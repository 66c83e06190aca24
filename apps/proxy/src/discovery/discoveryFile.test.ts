import { describe, expect, it } from 'vitest';
import { parseDiscoveryFile } from './discoveryFile';
import { serviceKeyFromAuthority } from './discoverySource';

describe('discovery file', () => {
  it('groups endpoints by service.namespace with defaults for workload and pod', async () => {
    const r = await parseDiscoveryFile(
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

  it('maps service addresses (ClusterIPs) to their service and refuses an address owned twice', async () => {
    const r = await parseDiscoveryFile(
      'destinations:\n  reviews.shop: { addresses: ["10.96.0.10:9080"], maxRetries: 1 }\n',
      'd.yaml',
    );
    expect(r.ok && [...r.state.byAddress]).toEqual([['10.96.0.10:9080', 'reviews.shop']]);
    expect(r.ok && r.state.policies.get('reviews.shop')).toEqual({ maxRetries: 1 });
    const twice = await parseDiscoveryFile(
      'destinations:\n  a.shop: { addresses: ["10.96.0.10:80"] }\n  b.shop: { addresses: ["10.96.0.10:80"] }\n',
      'd.yaml',
    );
    expect(twice).toEqual({
      ok: false,
      error: "d.yaml: destinations.b.shop.addresses: 10.96.0.10:80 is already a.shop's",
    });
    expect(
      await parseDiscoveryFile('destinations:\n  a.shop: { addresses: ["a.shop"] }\n', 'd.yaml'),
    ).toEqual({
      ok: false,
      error: 'd.yaml: destinations.a.shop.addresses.0: must be ip:port, e.g. 10.96.0.10:80',
    });
  });

  it('reads JSON natively and YAML with its parser; a document neither can read is named', async () => {
    const json = await parseDiscoveryFile(
      '{"endpoints":[{"namespace":"shop","service":"a","address":"127.0.0.1","port":1}]}',
      'd.json',
    );
    const yaml = await parseDiscoveryFile(
      'endpoints: [{namespace: shop, service: a, address: 127.0.0.1, port: 1}]',
      'd.yaml',
    );
    expect(json).toEqual(yaml);
    expect(json.ok && [...json.state.byService.keys()]).toEqual(['a.shop']);
    const bad = await parseDiscoveryFile('endpoints: [unclosed', 'd.yaml');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^d\.yaml: not valid YAML\/JSON: /);
    expect((await parseDiscoveryFile('', 'empty.yaml')).ok).toBe(true);
  });

  it('names the file and field of a problem', async () => {
    const r = await parseDiscoveryFile(
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
