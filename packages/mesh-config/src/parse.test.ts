import { readFileSync } from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMeshConfigDir, parseMeshConfigText } from './load';
import { parseDuration } from './duration';
import { meshConfigSchema } from './types';

const shop = readFileSync(new URL('./__fixtures__/shop.yaml', import.meta.url), 'utf8');

describe('parseDuration', () => {
  it('parses Gateway API durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('2')).toBeUndefined();
    expect(parseDuration('1.5s')).toBeUndefined();
  });
});

describe('parseMeshConfigText', () => {
  it('normalizes the full example', () => {
    const r = parseMeshConfigText(shop, 'shop.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const cfg = r.config;
    expect(cfg.defaultAuthorization).toBe('deny');
    expect(cfg.routes).toHaveLength(1);
    const route = cfg.routes[0]!;
    expect(route.parentRefs).toEqual([{ name: 'reviews', namespace: 'shop' }]);
    expect(route.rules[0]).toEqual({
      name: 'by-header',
      matches: [
        {
          path: { type: 'PathPrefix', value: '/reviews' },
          headers: [{ type: 'Exact', name: 'x-api-version', value: '2' }],
        },
      ],
      backendRefs: [{ name: 'reviews', namespace: 'shop', version: 'v2', weight: 1 }],
      timeouts: {},
    });
    expect(route.rules[1]).toEqual({
      name: 'canary',
      matches: [{ path: { type: 'PathPrefix', value: '/reviews' }, headers: [] }],
      backendRefs: [
        { name: 'reviews', namespace: 'shop', version: 'v1', weight: 90 },
        { name: 'reviews', namespace: 'shop', version: 'v2', weight: 10 },
      ],
      timeouts: { requestMs: 2000, backendRequestMs: 500 },
      retry: { attempts: 2, codes: [503], backoffMs: 50 },
      requestHeaderModifier: {
        set: [{ name: 'x-canary', value: 'true' }],
        add: [],
        remove: ['x-debug'],
      },
      fault: {
        policy: 'shop/reviews-chaos',
        delay: { fixedDelayMs: 100, percentage: 10 },
        abort: { httpStatus: 503, percentage: 5 },
      },
    });
    expect(route.rules[2]!.backendRefs).toEqual([
      { name: 'reviews', namespace: 'shop', weight: 1 },
    ]);
    expect(cfg.authorizationPolicies.map((p) => [p.name, p.action, p.target])).toEqual([
      ['reviews-callers', 'ALLOW', { service: 'reviews', namespace: 'shop' }],
      [
        'reviews-route-callers',
        'ALLOW',
        { service: 'reviews', namespace: 'shop', route: 'shop/reviews' },
      ],
      ['no-batch', 'DENY', { service: 'reviews', namespace: 'shop' }],
    ]);
    expect(cfg.authorizationPolicies[0]!.from).toEqual([
      {
        identities: [],
        namespaces: [],
        serviceAccounts: [{ namespace: 'shop', name: 'frontend' }],
      },
      { identities: [], namespaces: ['ops'], serviceAccounts: [] },
    ]);
    // The normalized form is its own wire schema.
    expect(meshConfigSchema.parse(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg);
  });

  it('names file, object and field of every problem', () => {
    const text = `
apiVersion: meshlens.io/v1alpha1
kind: HTTPRoute
metadata: { name: reviews, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules:
    - backendRefs:
        - { name: reviews, weight: -1 }
      timeouts: { request: soon }
    - matches: [{ path: { type: RegularExpression, value: "(" } }]
---
apiVersion: meshlens.io/v1alpha1
kind: Gateway
metadata: { name: gw }
---
apiVersion: meshlens.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: p, namespace: shop }
spec:
  targetRef: { kind: Service, name: reviews }
  form: []
`;
    const r = parseMeshConfigText(text, 'bad.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.file, e.object, e.field])).toEqual([
      ['bad.yaml', 'HTTPRoute shop/reviews', 'spec.rules[0].backendRefs[0].weight'],
      ['bad.yaml', 'HTTPRoute shop/reviews', 'spec.rules[0].timeouts.request'],
      ['bad.yaml', 'HTTPRoute shop/reviews', 'spec.rules[1].matches[0].path.value'],
      ['bad.yaml', 'Gateway default/gw', 'kind'],
      ['bad.yaml', 'AuthorizationPolicy shop/p', 'spec.from'],
      ['bad.yaml', 'AuthorizationPolicy shop/p', 'spec'],
    ]);
    expect(r.errors[1]!.message).toBe('"soon" is not a duration like "500ms", "2s", "1m30s"');
    expect(r.errors[2]!.message).toMatch(/^invalid regular expression/);
    expect(r.errors[3]!.message).toBe(
      'unknown kind "Gateway"; expected one of HTTPRoute, FaultPolicy, AuthorizationPolicy, MeshPolicy',
    );
    expect(r.errors[5]!.message).toMatch(/form/);
  });

  it('rejects dangling references, duplicates and a second MeshPolicy', () => {
    const text = `
apiVersion: meshlens.io/v1alpha1
kind: FaultPolicy
metadata: { name: f, namespace: shop }
spec:
  targetRef: { kind: HTTPRoute, name: missing }
  abort: { httpStatus: 503, percentage: 10 }
---
apiVersion: meshlens.io/v1alpha1
kind: MeshPolicy
metadata: { name: a }
spec: { defaultAuthorization: allow }
---
apiVersion: meshlens.io/v1alpha1
kind: MeshPolicy
metadata: { name: b }
spec: { defaultAuthorization: deny }
---
apiVersion: meshlens.io/v1alpha1
kind: MeshPolicy
metadata: { name: b }
spec: { defaultAuthorization: deny }
`;
    const r = parseMeshConfigText(text, 'x.yaml');
    if (r.ok) throw new Error('expected errors');
    expect(r.errors).toEqual([
      {
        file: 'x.yaml',
        object: 'MeshPolicy default/b',
        field: 'metadata.name',
        message: 'duplicate of the object in x.yaml',
      },
      {
        file: 'x.yaml',
        object: 'FaultPolicy shop/f',
        field: 'spec.targetRef.name',
        message: 'no HTTPRoute shop/missing',
      },
      {
        file: 'x.yaml',
        object: 'MeshPolicy default/b',
        field: 'metadata.name',
        message: 'only one MeshPolicy may exist',
      },
    ]);
  });

  it('does not report references to an object that is itself invalid', () => {
    const text = `
apiVersion: meshlens.io/v1alpha1
kind: HTTPRoute
metadata: { name: reviews, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules: [{ backendRefs: [{ name: reviews, weight: -1 }] }]
---
apiVersion: meshlens.io/v1alpha1
kind: FaultPolicy
metadata: { name: f, namespace: shop }
spec:
  targetRef: { kind: HTTPRoute, name: reviews }
  abort: { httpStatus: 503, percentage: 10 }
`;
    const r = parseMeshConfigText(text, 'x.yaml');
    if (r.ok) throw new Error('expected errors');
    expect(r.errors.map((e) => [e.object, e.field])).toEqual([
      ['HTTPRoute shop/reviews', 'spec.rules[0].backendRefs[0].weight'],
    ]);
  });

  it('reports YAML syntax errors with the file', () => {
    const r = parseMeshConfigText('kind: [unclosed', 'broken.yaml');
    if (r.ok) throw new Error('expected errors');
    expect(r.errors[0]!.file).toBe('broken.yaml');
    expect(r.errors[0]!.object).toBe('document 1');
  });
});

describe('loadMeshConfigDir', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every YAML file of a directory as one configuration', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mesh-config-'));
    writeFileSync(path.join(dir, 'shop.yaml'), shop);
    writeFileSync(path.join(dir, 'notes.txt'), 'not config');
    writeFileSync(path.join(dir, 'empty.yml'), '# nothing yet\n---\n');
    // ConfigMap volumes hold symlinks into a hidden "..data" directory.
    mkdirSync(path.join(dir, '..data'));
    writeFileSync(
      path.join(dir, '..data', 'mesh.yaml'),
      'apiVersion: meshlens.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: { name: ratings, namespace: shop }\nspec: { targetRef: { kind: Service, name: ratings }, from: [{ namespaces: [shop] }] }\n',
    );
    symlinkSync(path.join('..data', 'mesh.yaml'), path.join(dir, 'mesh.yaml'));
    const r = await loadMeshConfigDir(dir);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.config.routes.map((x) => x.name)).toEqual(['reviews']);
    expect(r.config.authorizationPolicies.map((p) => p.name)).toEqual([
      'ratings',
      'reviews-callers',
      'reviews-route-callers',
      'no-batch',
    ]);
  });

  it('is all or nothing across files', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mesh-config-'));
    writeFileSync(path.join(dir, 'a.yaml'), shop);
    writeFileSync(
      path.join(dir, 'b.yaml'),
      'apiVersion: meshlens.io/v1alpha1\nkind: MeshPolicy\nmetadata: { name: x }\nspec: { defaultAuthorization: maybe }\n',
    );
    const r = await loadMeshConfigDir(dir);
    if (r.ok) throw new Error('expected errors');
    expect(r.errors.map((e) => [path.basename(e.file), e.object, e.field])).toEqual([
      ['b.yaml', 'MeshPolicy default/x', 'spec.defaultAuthorization'],
    ]);
  });
});
