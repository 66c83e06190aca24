import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authorize } from './authorize';
import { parseMeshConfigText } from './load';
import type { MeshConfig } from './types';

function load(text: string): MeshConfig {
  const r = parseMeshConfigText(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}
const shop = load(readFileSync(new URL('./__fixtures__/shop.yaml', import.meta.url), 'utf8'));
const reviews = { service: 'reviews', namespace: 'shop' };
const id = (ns: string, sa: string) => ({ identity: `spiffe://cluster.local/ns/${ns}/sa/${sa}` });

describe('authorize', () => {
  it('allows a listed service account and namespace', () => {
    expect(authorize(shop, reviews, id('shop', 'frontend'))).toEqual({
      allowed: true,
      reason:
        'spiffe://cluster.local/ns/shop/sa/frontend allowed by AuthorizationPolicy shop/reviews-callers',
      policy: 'shop/reviews-callers',
    });
    expect(authorize(shop, reviews, id('ops', 'anyone')).allowed).toBe(true);
  });

  it('denies others with the policy named', () => {
    expect(authorize(shop, reviews, id('shop', 'batchjob'))).toEqual({
      allowed: false,
      reason:
        'spiffe://cluster.local/ns/shop/sa/batchjob is not allowed by AuthorizationPolicy shop/reviews-callers',
      policy: 'shop/reviews-callers',
    });
    expect(authorize(shop, reviews, null)).toEqual({
      allowed: false,
      reason: 'unauthenticated caller is not allowed by AuthorizationPolicy shop/reviews-callers',
      policy: 'shop/reviews-callers',
    });
  });

  it('checks DENY policies first', () => {
    expect(authorize(shop, reviews, { namespace: 'batch', serviceAccount: 'x' })).toEqual({
      allowed: false,
      reason: 'batch/x denied by AuthorizationPolicy shop/no-batch',
      policy: 'shop/no-batch',
    });
  });

  it('uses route-level policies for the matched route', () => {
    const onRoute = { ...reviews, route: 'shop/reviews' };
    expect(authorize(shop, onRoute, id('monitoring', 'prober')).policy).toBe(
      'shop/reviews-route-callers',
    );
    expect(authorize(shop, onRoute, id('monitoring', 'prober')).allowed).toBe(true);
    // ops may call the service, but the route policy replaces the service-level allow list.
    expect(authorize(shop, onRoute, id('ops', 'anyone')).allowed).toBe(false);
    expect(authorize(shop, reviews, id('monitoring', 'prober')).allowed).toBe(false);
  });

  it('falls back to the mesh default', () => {
    expect(authorize(shop, { service: 'ratings', namespace: 'shop' }, null)).toEqual({
      allowed: false,
      reason: 'unauthenticated caller denied by the mesh default (deny)',
    });
    const open = load('');
    expect(authorize(open, reviews, id('a', 'b'))).toEqual({
      allowed: true,
      reason: 'spiffe://cluster.local/ns/a/sa/b allowed by the mesh default (allow)',
    });
  });
});
