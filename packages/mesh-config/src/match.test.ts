import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMeshConfigText } from './load';
import { applyRequestHeaderModifier, decideFault, matchRoute, pickBackend } from './match';
import type { MeshConfig } from './types';

function load(text: string): MeshConfig {
  const r = parseMeshConfigText(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}
const shop = load(readFileSync(new URL('./__fixtures__/shop.yaml', import.meta.url), 'utf8'));
const req = {
  service: 'reviews',
  namespace: 'shop',
  method: 'GET',
  path: '/reviews/1',
  headers: {},
};

/** Deterministic "random" returning the given values in turn. */
function seq(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('matchRoute', () => {
  it('routes by header to v2', () => {
    const c = matchRoute(shop, { ...req, headers: { 'X-Api-Version': '2' } });
    expect(c?.rule.name).toBe('by-header');
    expect(c?.pickBackend(() => 0.99)).toEqual({
      name: 'reviews',
      namespace: 'shop',
      version: 'v2',
      weight: 1,
    });
  });

  it('prefers the longer prefix over "/" and Exact over prefixes', () => {
    expect(matchRoute(shop, req)?.rule.name).toBe('canary');
    expect(matchRoute(shop, { ...req, path: '/healthz?x=1' })?.rule.name).toBe('health');
    expect(matchRoute(shop, { ...req, path: '/' })).toBeUndefined();
    // Exact wins over prefixes even when the header is present.
    expect(
      matchRoute(shop, { ...req, path: '/healthz', headers: { 'x-api-version': '2' } })?.rule.name,
    ).toBe('health');
    expect(matchRoute(shop, { ...req, path: '/reviewsX' })).toBeUndefined();
    expect(matchRoute(shop, { ...req, path: '/healthz', method: 'POST' })).toBeUndefined();
  });

  it('ignores other services and namespaces', () => {
    expect(matchRoute(shop, { ...req, service: 'ratings' })).toBeUndefined();
    expect(matchRoute(shop, { ...req, namespace: 'other' })).toBeUndefined();
  });

  it('matches regular expressions in full', () => {
    const cfg = load(`
apiVersion: meshlens.io/v1alpha1
kind: HTTPRoute
metadata: { name: r, namespace: ns }
spec:
  parentRefs: [{ name: svc }]
  rules:
    - matches: [{ path: { type: RegularExpression, value: "/items/[0-9]+" }, headers: [{ type: RegularExpression, name: x-user, value: "a.*" }] }]
`);
    const base = { service: 'svc', namespace: 'ns', method: 'GET', headers: { 'x-user': 'alice' } };
    expect(matchRoute(cfg, { ...base, path: '/items/42' })?.ruleIndex).toBe(0);
    expect(matchRoute(cfg, { ...base, path: '/items/42/x' })).toBeUndefined();
    expect(
      matchRoute(cfg, { ...base, path: '/items/42', headers: { 'x-user': 'bob' } }),
    ).toBeUndefined();
  });
});

describe('pickBackend', () => {
  const canary = shop.routes[0]!.rules[1]!.backendRefs;
  it('splits by weight', () => {
    expect(pickBackend(canary, () => 0)?.version).toBe('v1');
    expect(pickBackend(canary, () => 0.8999)?.version).toBe('v1');
    expect(pickBackend(canary, () => 0.9)?.version).toBe('v2');
    expect(pickBackend(canary, () => 0.999999)?.version).toBe('v2');
  });
  it('gives undefined when every weight is 0', () => {
    expect(pickBackend([{ name: 'a', namespace: 'b', weight: 0 }], () => 0.5)).toBeUndefined();
  });
});

describe('decideFault', () => {
  const rule = shop.routes[0]!.rules[1]!;
  it('draws delay then abort against their percentages', () => {
    expect(decideFault(rule, seq(0.05, 0.01))).toEqual({ delayMs: 100, abortStatus: 503 });
    expect(decideFault(rule, seq(0.1, 0.05))).toEqual({});
    expect(decideFault(rule, seq(0.5, 0.049))).toEqual({ abortStatus: 503 });
    expect(decideFault(shop.routes[0]!.rules[0]!, () => 0)).toEqual({});
  });
});

describe('applyRequestHeaderModifier', () => {
  it('sets, adds and removes headers on a copy', () => {
    const rule = shop.routes[0]!.rules[1]!;
    const input = { 'x-debug': '1', 'x-canary': 'false', accept: 'a' };
    expect(applyRequestHeaderModifier(rule, input)).toEqual({ 'x-canary': 'true', accept: 'a' });
    expect(input['x-debug']).toBe('1');
  });
});
