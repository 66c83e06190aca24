import { parseMeshConfigText } from '@meshlens/mesh-config';
import { parseExposition } from '@meshlens/prom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../src/meshConfigSource';
import { createMeshRouter } from '../src/meshRouter';
import {
  discoveryYaml,
  request,
  startProxy,
  startUpstream,
  type RunningProxy,
  type Upstream,
} from './helpers';

// One HTTPRoute with two rules: a header match (rule 0) and everything else (rule 1).
const ROUTES = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: reviews-split, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules:
    - matches:
        - path: { type: PathPrefix, value: / }
          headers: [{ name: x-api-version, value: "2" }]
      backendRefs: [{ name: reviews }]
    - matches: [{ path: { type: PathPrefix, value: / } }]
      backendRefs: [{ name: reviews }]
`;

let proxy: RunningProxy;
let up: Upstream;

beforeAll(async () => {
  up = await startUpstream((_req, res) => res.end('ok'));
  const parsed = parseMeshConfigText(ROUTES, 'mesh.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const store = new ConfigStore();
  store.set(parsed.config, 'v1');
  proxy = await startProxy({
    discovery: discoveryYaml([
      { service: 'reviews', port: up.port },
      { service: 'ratings', port: up.port },
    ]),
    router: createMeshRouter(store),
  });
  for (let i = 0; i < 2; i++)
    await request(proxy.outbound, { host: 'reviews.shop', headers: { 'x-api-version': '2' } });
  for (let i = 0; i < 3; i++) await request(proxy.outbound, { host: 'reviews.shop' });
  await request(proxy.outbound, { host: 'ratings.shop' });
});

afterAll(async () => {
  await proxy?.stop();
  await up?.close();
});

describe('route labels on outbound HTTP metrics', () => {
  it('name the matched HTTPRoute and rule; requests matching no route are `default`', async () => {
    const text = (await request(proxy.admin, { path: '/metrics' })).body;
    const samples = parseExposition(text)
      .filter((f) => f.name === 'response_total')
      .flatMap((f) => f.samples)
      .filter((s) => s.labels.direction === 'outbound');
    const byRoute = new Map<string, number>();
    for (const s of samples) {
      const key = `${s.labels.dst_service}|${s.labels.route_name}|${s.labels.route_rule ?? '-'}`;
      byRoute.set(key, (byRoute.get(key) ?? 0) + s.value);
    }
    expect(Object.fromEntries(byRoute)).toEqual({
      'reviews|reviews-split|0': 2,
      'reviews|reviews-split|1': 3,
      'ratings|default|-': 1,
    });
  });
});
