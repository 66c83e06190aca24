import { KubeConfig } from '@kubernetes/client-node';
import { createControlPlaneClient } from '@meshlens/cp-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlPlaneDiscovery } from '../src/discovery/controlPlaneDiscovery';
import { createKubernetesDiscovery } from '../src/discovery/kubernetesDiscovery';
import { serve, type TestServer } from './helpers/servers';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Recorded shape of GET /api/v1/pods (trimmed to the fields discovery reads). */
const podList = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '1234' },
  items: [
    {
      metadata: {
        name: 'web-7c9d8f-abcde',
        namespace: 'emojivoto',
        labels: { app: 'web', 'pod-template-hash': '7c9d8f', 'linkerd.io/proxy-deployment': 'web' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-7c9d8f',
            uid: 'u1',
            controller: true,
          },
        ],
      },
      spec: {
        containers: [
          { name: 'web-svc', image: 'web', ports: [{ name: 'http', containerPort: 8080 }] },
          {
            name: 'linkerd-proxy',
            image: 'proxy',
            ports: [{ name: 'linkerd-admin', containerPort: 4191 }],
          },
        ],
      },
      status: { phase: 'Running', podIP: '10.42.0.17' },
    },
    {
      metadata: {
        name: 'db-0',
        namespace: 'shop',
        labels: { app: 'db' },
        annotations: {
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': '15020',
          'prometheus.io/path': 'stats/prometheus',
        },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u2', controller: true },
        ],
      },
      spec: { containers: [{ name: 'db', image: 'db' }] },
      status: { phase: 'Running', podIP: '10.42.0.18' },
    },
    {
      metadata: {
        name: 'api-5b6c7d-xyz12',
        namespace: 'shop',
        labels: { 'pod-template-hash': '5b6c7d' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'api-5b6c7d',
            uid: 'u3',
            controller: true,
          },
        ],
      },
      spec: {
        containers: [
          {
            name: 'meshlens-proxy',
            image: 'p',
            ports: [{ name: 'meshlens-admin', containerPort: 9901 }],
          },
        ],
      },
      status: { phase: 'Running', podIP: '10.42.0.19' },
    },
    {
      metadata: { name: 'plain', namespace: 'shop' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
      status: { phase: 'Running', podIP: '10.42.0.20' },
    },
  ],
};

describe('Kubernetes pod discovery (local HTTP server acting as the API server)', () => {
  it('finds proxy admin ports and prometheus.io annotations, with Linkerd-style target labels', async () => {
    const seen: string[] = [];
    const api = await serve((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(podList));
    });
    servers.push(api);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'test', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'test' }],
      contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
      currentContext: 'test',
    });
    const targets = await createKubernetesDiscovery({ kubeConfig }).targets();
    expect(seen[0]).toBe('/api/v1/pods?fieldSelector=status.phase%3DRunning');
    expect(targets).toEqual([
      {
        url: 'http://10.42.0.17:4191/metrics',
        // the pod's `app` label travels as the target's app (app graphs)
        labels: { namespace: 'emojivoto', pod: 'web-7c9d8f-abcde', deployment: 'web', app: 'web' },
        discovery: 'kubernetes',
      },
      {
        url: 'http://10.42.0.18:15020/stats/prometheus',
        labels: { namespace: 'shop', pod: 'db-0', statefulset: 'db', app: 'db' },
        discovery: 'kubernetes',
      },
      {
        url: 'http://10.42.0.19:9901/metrics',
        labels: { namespace: 'shop', pod: 'api-5b6c7d-xyz12', deployment: 'api' },
        discovery: 'kubernetes',
      },
    ]);
  });

  it('reports an API error', async () => {
    const api = await serve((_req, res) => {
      res.statusCode = 403;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          kind: 'Status',
          status: 'Failure',
          message: 'pods is forbidden',
          code: 403,
        }),
      );
    });
    servers.push(api);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 't', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 't', user: 'u' }],
      currentContext: 'c',
    });
    await expect(createKubernetesDiscovery({ kubeConfig }).targets()).rejects.toThrow(/403/);
  });
});

describe('control-plane registry discovery', () => {
  it('scrapes each registered proxy admin endpoint once, labelled like Linkerd targets', async () => {
    const ep = {
      namespace: 'shop',
      service: 'web',
      workload: 'web',
      pod: 'web-1',
      version: 'v2',
      serviceAccount: 'web',
      address: '127.0.0.1',
      port: 8080,
      adminAddress: '127.0.0.1',
      adminPort: 9990,
      proxyVersion: '0.1.0',
      registeredAt: '2026-01-01T00:00:00Z',
    };
    const cp = await serve((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/v1/endpoints') {
        res.end(JSON.stringify({ endpoints: [ep, { ...ep, port: 8081 }] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    servers.push(cp);
    const client = createControlPlaneClient({ url: cp.url });
    try {
      expect(await createControlPlaneDiscovery(client).targets()).toEqual([
        {
          url: 'http://127.0.0.1:9990/metrics',
          labels: {
            namespace: 'shop',
            deployment: 'web',
            pod: 'web-1',
            service: 'web',
            version: 'v2',
          },
          discovery: 'control-plane',
        },
      ]);
    } finally {
      client.close();
    }
  });
});
