import { parseMeshConfigText } from '@meshlens/mesh-config';
import { describe, expect, it } from 'vitest';
import { ConfigStore } from './meshConfigSource';
import { createMeshAuthorizer, createMeshRouter } from './meshRouter';

const CONFIG = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: reviews, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules:
    - name: by-header
      matches:
        - path: { type: PathPrefix, value: / }
          headers: [{ name: x-api-version, value: "2" }]
      backendRefs: [{ name: reviews, version: v2 }]
    - name: canary
      matches: [{ path: { type: PathPrefix, value: / } }]
      backendRefs:
        - { name: reviews, version: v1, weight: 90 }
        - { name: reviews, version: v2, weight: 10 }
      timeouts: { request: 2s }
      retry: { attempts: 2, codes: [503], backoff: 50ms }
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            set: [{ name: x-canary, value: "true" }]
            remove: [x-debug]
---
apiVersion: meshlens.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: callers, namespace: shop }
spec:
  targetRef: { kind: Service, name: reviews }
  from: [{ serviceAccounts: [frontend] }]
`;

function store(): ConfigStore {
  const parsed = parseMeshConfigText(CONFIG, 'mesh.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const s = new ConfigStore();
  s.set(parsed.config, 'v1');
  return s;
}

describe('mesh router', () => {
  it('routes a header match to the v2 subset', () => {
    const d = createMeshRouter(store()).route('reviews.shop', {
      method: 'GET',
      path: '/x',
      headers: { 'x-api-version': '2' },
    });
    expect(d.service).toBe('reviews.shop');
    expect(d.subset).toEqual({ version: 'v2', workload: undefined });
    expect(d.routeName).toBe('shop/reviews/by-header');
    // metric labels: the HTTPRoute's name and the index of the matched rule
    expect(d.route).toEqual({ name: 'reviews', rule: '0' });
  });

  it('splits by weight and carries timeout, retry policy and header changes', () => {
    const low = createMeshRouter(store(), () => 0.5).route('reviews.shop', {
      method: 'GET',
      path: '/',
      headers: {},
    });
    const high = createMeshRouter(store(), () => 0.95).route('reviews.shop', {
      method: 'GET',
      path: '/',
      headers: {},
    });
    expect([low.subset?.version, high.subset?.version]).toEqual(['v1', 'v2']);
    expect(low).toMatchObject({
      timeoutMs: 2000,
      maxRetries: 2,
      retryOnStatuses: [503],
      retryBackoffMs: 50,
      requestHeaders: { set: { 'x-canary': 'true' }, add: {}, remove: ['x-debug'] },
    });
  });

  it('sends services without a route straight to themselves', () => {
    expect(
      createMeshRouter(store()).route('ratings.shop', { method: 'GET', path: '/', headers: {} }),
    ).toEqual({ service: 'ratings.shop' });
  });
});

describe('mesh authorizer', () => {
  it('allows the listed service account and denies others and plaintext callers', () => {
    const authz = createMeshAuthorizer(store(), { service: 'reviews', namespace: 'shop' });
    const req = { method: 'GET', path: '/', headers: {} };
    expect(authz.authorize('spiffe://cluster.local/ns/shop/sa/frontend', req)).toMatchObject({
      allowed: true,
      policy: 'shop/callers',
    });
    expect(authz.authorize('spiffe://cluster.local/ns/shop/sa/batch', req).allowed).toBe(false);
    expect(authz.authorize(undefined, req)).toMatchObject({ allowed: false });
  });
});
