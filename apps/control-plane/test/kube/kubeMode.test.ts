import { readFileSync } from 'node:fs';
import {
  createControlPlaneClient,
  type Endpoint,
  type ControlPlaneClient,
} from '@meshlens/cp-client';
import type { MeshConfig } from '@meshlens/mesh-config';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../../src/server';
import { flags, tempDir, waitFor } from '../helpers';
import { createCleanup, get, startProxy, type Proxy } from '../mesh';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from './fakeApiServer';
import {
  endpointSlice,
  gatewayApiDocs,
  kubeTestdata,
  MESH_NS,
  startBackends,
  type Backend,
} from './objects';

const data = kubeTestdata();
const describeData = data === undefined ? describe.skip : describe;

describeData('control plane on the Kubernetes API', () => {
  const dir = data as string;
  const cleanup = createCleanup();
  let api: FakeApiServer;
  let cp: RunningControlPlane;
  let client: ControlPlaneClient;
  let backends: Record<string, Backend>;
  let proxy: Proxy;
  const endpointsOf = new Map<string, Endpoint[]>();
  let config: MeshConfig | undefined;

  const watch = (service: string) => {
    cleanup.add(
      client.watchEndpoints(`${service}.${MESH_NS}`, (eps) => endpointsOf.set(service, eps)),
    );
  };
  const addresses = (service: string) =>
    (endpointsOf.get(service) ?? [])
      .map((e) => e.address)
      .sort()
      .join(',');

  beforeAll(async () => {
    api = await startFakeApiServer();
    cleanup.add(() => api.close());
    // The Services of the Gateway API mesh conformance suite, as published.
    for (const o of gatewayApiDocs(dir, 'mesh-manifests.yaml')) {
      if (o.kind === 'Service') api.apply('services', o);
    }
    backends = await startBackends(['v1-a', 'v1-b', 'v2-a']);
    const port = backends['v1-a']?.port ?? 0;
    cleanup.add(() => Promise.all(Object.values(backends).map((b) => b.close())));
    api.apply(
      'endpointslices',
      endpointSlice('echo-v1', port, [
        { address: '127.0.0.2', ready: true, pod: 'echo-v1-7d9c-a', zone: 'zone-a' },
        { address: '127.0.0.3', ready: true, pod: 'echo-v1-7d9c-b' },
      ]),
    );
    api.apply(
      'endpointslices',
      endpointSlice('echo-v2', port, [
        { address: '127.0.0.4', ready: true, pod: 'echo-v2-5f6d-a' },
      ]),
    );
    const { dir: dataDir, cleanup: rm } = tempDir('cp-kube-');
    cleanup.add(rm);
    cp = await startControlPlane(
      {
        ...flags({ dataDir }),
        kubernetes: {
          kubeconfig: undefined,
          namespace: 'meshlens',
          caSecret: 'meshlens-ca',
          leaseSeconds: 3,
          replicaId: 'cp-test-0',
        },
      },
      pino({ level: 'silent' }),
      { kubeConfig: api.kubeConfig(), kubeBackoffMs: 50, leaderRetryMs: 200 },
    );
    cleanup.add(() => cp.close());
    // Watches need a credential: the admin token may read everything.
    client = createControlPlaneClient({
      url: cp.url,
      token: readFileSync(cp.adminTokenFile, 'utf8').trim(),
    });
    cleanup.add(() => client.close());
    cleanup.add(client.watchConfig((c) => (config = c)));
    watch('echo-v1');
    watch('echo-v2');
    proxy = await startProxy(cleanup, {
      cp,
      service: 'client',
      sa: 'client',
      namespace: MESH_NS,
    });
  });
  afterAll(() => cleanup.run());

  it('hands proxies the ready endpoints of EndpointSlices, with zone and pod', async () => {
    await waitFor('echo-v1 endpoints', () => addresses('echo-v1') === '127.0.0.2,127.0.0.3');
    const a = endpointsOf.get('echo-v1')?.find((e) => e.address === '127.0.0.2');
    expect(a).toMatchObject({
      namespace: MESH_NS,
      service: 'echo-v1',
      pod: 'echo-v1-7d9c-a',
      port: backends['v1-a']?.port,
      zone: 'zone-a',
    });
    // No proxy in that pod: no mesh identity, so callers do not expect mTLS from it.
    expect(a?.serviceAccount).toBeUndefined();
    // The CA was created into the shared Secret by the first replica.
    expect(api.get('secrets', 'meshlens', 'meshlens-ca')?.['type']).toBe('kubernetes.io/tls');
  });

  it('follows an endpoint going not-ready within a second, and a real proxy stops sending to it', async () => {
    const port = backends['v1-a']?.port ?? 0;
    api.apply(
      'endpointslices',
      endpointSlice('echo-v1', port, [
        { address: '127.0.0.2', ready: true, pod: 'echo-v1-7d9c-a', zone: 'zone-a' },
        { address: '127.0.0.3', ready: false, pod: 'echo-v1-7d9c-b' },
      ]),
    );
    await waitFor('not-ready endpoint removed', () => addresses('echo-v1') === '127.0.0.2');
    // The proxy's own watch converges too; from then on the not-ready pod gets nothing.
    await waitFor(
      'proxy routes to the ready pod only',
      async () => {
        const r = await get(proxy.outbound, { host: `echo-v1.${MESH_NS}` });
        return r.status === 200 && r.headers['x-backend'] === 'v1-a';
      },
      15_000,
    );
    const before = { a: backends['v1-a']?.hits ?? 0, b: backends['v1-b']?.hits ?? 0 };
    for (let i = 0; i < 30; i++) {
      const r = await get(proxy.outbound, { host: `echo-v1.${MESH_NS}` });
      expect(r.status).toBe(200);
    }
    expect((backends['v1-a']?.hits ?? 0) - before.a).toBe(30);
    expect((backends['v1-b']?.hits ?? 0) - before.b).toBe(0);
  });

  it('applies a weighted HTTPRoute from the API to real traffic and writes Accepted/ResolvedRefs', async () => {
    const [route] = gatewayApiDocs(dir, 'httproute-weight.yaml') as [KubeObject];
    api.apply('httproutes', route);
    await waitFor('route in the config', () =>
      config?.routes.some((r) => r.name === route.metadata.name),
    );
    await waitFor('status written', () => {
      const parents = (
        api.get('httproutes', MESH_NS, route.metadata.name)?.status as
          | {
              parents?: Array<{
                controllerName: string;
                conditions: Array<{ type: string; status: string }>;
              }>;
            }
          | undefined
      )?.parents;
      const ours = parents?.find((p) => p.controllerName === 'meshlens.io/control-plane');
      return (
        ours?.conditions.find((c) => c.type === 'Accepted')?.status === 'True' &&
        ours.conditions.find((c) => c.type === 'ResolvedRefs')?.status === 'True'
      );
    });
    // 70/30 between echo-v1 (one ready pod) and echo-v2, over 400 requests through the proxy.
    await waitFor(
      'proxy has the route',
      async () => {
        const r = await get(proxy.outbound, { host: `echo.${MESH_NS}` });
        return (
          r.status === 200 &&
          (r.headers['x-backend'] === 'v2-a' || r.headers['x-backend'] === 'v1-a')
        );
      },
      15_000,
    );
    const v2Before = backends['v2-a']?.hits ?? 0;
    for (let i = 0; i < 400; i++) {
      const r = await get(proxy.outbound, { host: `echo.${MESH_NS}` });
      expect(r.status).toBe(200);
    }
    const v2 = (backends['v2-a']?.hits ?? 0) - v2Before;
    // Binomial(400, 0.3): mean 120, sd 9.2; +-5 sd.
    expect(v2).toBeGreaterThan(120 - 46);
    expect(v2).toBeLessThan(120 + 46);
  });

  it('rejects an invalid HTTPRoute alone, naming the field, while the valid one keeps routing', async () => {
    const [bad] = gatewayApiDocs(dir, 'httproute-query-param-matching.yaml') as [KubeObject];
    api.apply('httproutes', bad);
    type Parents = {
      parents?: Array<{
        controllerName: string;
        conditions: Array<{ type: string; status: string; reason: string; message: string }>;
      }>;
    };
    const cond = await waitFor('Accepted False', () => {
      const s = api.get('httproutes', MESH_NS, bad.metadata.name)?.status as Parents | undefined;
      const c = s?.parents
        ?.find((p) => p.controllerName === 'meshlens.io/control-plane')
        ?.conditions.find((x) => x.type === 'Accepted');
      return c?.status === 'False' ? c : undefined;
    });
    expect(cond.reason).toBe('UnsupportedValue');
    expect(cond.message).toContain('spec.rules[0].matches[0]');
    expect(cond.message).toContain('queryParams');
    const status = await client.status();
    expect(status.configObjects).toContainEqual(
      expect.objectContaining({ kind: 'HTTPRoute', name: bad.metadata.name, accepted: false }),
    );
    expect(config?.routes.map((r) => r.name)).toContain('mesh-weighted-backends');
    expect(config?.routes.map((r) => r.name)).not.toContain(bad.metadata.name);
    const r = await get(proxy.outbound, { host: `echo.${MESH_NS}` });
    expect(r.status).toBe(200);
  });

  it('marks a route whose backend Service does not exist ResolvedRefs False (BackendNotFound)', async () => {
    api.apply('httproutes', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'to-nowhere', namespace: MESH_NS },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'echo-v2', port: 80 }],
        rules: [{ backendRefs: [{ name: 'echo-v3', port: 8080 }] }],
      },
    });
    await waitFor('BackendNotFound', () => {
      const s = api.get('httproutes', MESH_NS, 'to-nowhere')?.status as
        { parents?: Array<{ conditions: Array<{ type: string; reason: string }> }> } | undefined;
      return s?.parents?.[0]?.conditions.some(
        (c) => c.type === 'ResolvedRefs' && c.reason === 'BackendNotFound',
      );
    });
  });

  it('resumes a dropped watch from the last bookmark', async () => {
    // A change elsewhere moves the resourceVersion; the slices watch learns it only from a bookmark.
    const svc = api.list('services')[0] as KubeObject;
    const touched = api.apply('services', {
      ...svc,
      metadata: { ...svc.metadata, labels: { touched: 'yes' } },
    });
    api.bookmark();
    const rv = touched.metadata.resourceVersion ?? '';
    api.endWatches();
    await waitFor('watch resumed from the bookmark', () =>
      api.requests.includes(
        `GET /apis/discovery.k8s.io/v1/endpointslices?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`,
      ),
    );
  });

  it('recovers from a dropped watch and a 410 Gone without losing an update', async () => {
    const port = backends['v1-a']?.port ?? 0;
    const lists = () =>
      api.requests.filter((r) => r === 'GET /apis/discovery.k8s.io/v1/endpointslices').length;
    const listsBefore = lists();
    api.dropWatches();
    // While the watches are down, the slice changes and history is compacted: resuming from
    // the old resourceVersion gets 410 Gone, and only a re-list can find the change.
    api.apply(
      'endpointslices',
      endpointSlice('echo-v1', port, [
        { address: '127.0.0.2', ready: true, pod: 'echo-v1-7d9c-a', zone: 'zone-a' },
        { address: '127.0.0.3', ready: true, pod: 'echo-v1-7d9c-b' },
      ]),
    );
    api.compact();
    await waitFor(
      'endpoint back after the 410 re-list',
      () => addresses('echo-v1') === '127.0.0.2,127.0.0.3',
      15_000,
    );
    expect(lists()).toBeGreaterThan(listsBefore);
  });

  it('keeps the last known endpoints while the API server is down', async () => {
    const seen = api.requests.length;
    api.setDown(true);
    // The dropped watches retry and get 503: the control plane has noticed the outage.
    await waitFor('a refused retry', () => api.requests.length > seen + 1);
    expect(addresses('echo-v1')).toBe('127.0.0.2,127.0.0.3');
    const r = await get(proxy.outbound, { host: `echo-v1.${MESH_NS}` });
    expect(r.status).toBe(200);
    api.setDown(false);
  });
});
