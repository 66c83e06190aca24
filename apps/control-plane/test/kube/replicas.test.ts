import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../helpers';
import { createCleanup, get, startProxy, type Proxy } from '../mesh';
import { CP_MAIN, spawnTs, type Spawned } from '../spawn';
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

/**
 * What a Kubernetes Service does for the control plane's replicas: each new connection goes
 * to the first replica that accepts it.
 */
async function startServiceVip(ports: () => number[]): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const candidates = ports();
    const tryNext = (i: number) => {
      const port = candidates[i];
      if (port === undefined) return void client.destroy();
      const upstream = net.connect(port, '127.0.0.1');
      upstream.once('error', () => tryNext(i + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        client.pipe(upstream).pipe(client);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
    };
    tryNext(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describeData('two control-plane replicas on the Kubernetes API', () => {
  const dir = data as string;
  const cleanup = createCleanup();
  let api: FakeApiServer;
  let backends: Record<string, Backend>;
  let proxy: Proxy;
  const replicas: Record<string, Spawned> = {};
  const lease = () =>
    (
      api.get('leases', 'meshlens', 'meshlens-control-plane')?.spec as
        { holderIdentity?: string } | undefined
    )?.holderIdentity;

  const startReplica = async (id: string, kubeconfig: string) => {
    const proc = await spawnTs(
      CP_MAIN,
      [
        '--port',
        '0',
        '--kubernetes',
        '--kubeconfig',
        kubeconfig,
        '--kube-namespace',
        'meshlens',
        '--replica-id',
        id,
        '--leader-lease-seconds',
        '2',
        '--lease-ttl-seconds',
        '3',
        '--log-level',
        'warn',
      ],
      { name: `control-plane ${id}` },
    );
    cleanup.add(() => proc.stop());
    replicas[id] = proc;
    return proc;
  };

  beforeAll(async () => {
    api = await startFakeApiServer();
    cleanup.add(() => api.close());
    for (const o of gatewayApiDocs(dir, 'mesh-manifests.yaml')) {
      if (o.kind === 'Service') api.apply('services', o);
    }
    backends = await startBackends(['v1', 'v2']);
    cleanup.add(() => Promise.all(Object.values(backends).map((b) => b.close())));
    const port = backends['v1']?.port ?? 0;
    api.apply(
      'endpointslices',
      endpointSlice('echo-v1', port, [{ address: '127.0.0.2', ready: true, pod: 'echo-v1-a' }]),
    );
    api.apply(
      'endpointslices',
      endpointSlice('echo-v2', port, [{ address: '127.0.0.3', ready: true, pod: 'echo-v2-a' }]),
    );
    api.apply('httproutes', gatewayApiDocs(dir, 'httproute-weight.yaml')[0] as KubeObject);
    const { dir: tmp, cleanup: rm } = tempDir('cp-replicas-');
    cleanup.add(rm);
    const kubeconfig = path.join(tmp, 'kubeconfig.json');
    writeFileSync(kubeconfig, api.kubeConfig().exportConfig());
    await startReplica('cp-a', kubeconfig);
    await waitFor('cp-a leads', () => lease() === 'cp-a', 15_000);
    await startReplica('cp-b', kubeconfig);
    const vip = await startServiceVip(() =>
      ['cp-a', 'cp-b']
        .map((id) => replicas[id])
        .filter(
          (p): p is Spawned =>
            p !== undefined && p.child.exitCode === null && p.child.signalCode === null,
        )
        .map((p) => Number(p.listening['port'])),
    );
    cleanup.add(() => vip.close());
    // The proxy proves its service account with a projected token, checked by whichever
    // replica it reaches through TokenReview (join tokens live in one replica's data dir).
    api.acceptToken('projected-client-token', `system:serviceaccount:${MESH_NS}:client`, [
      'meshlens',
    ]);
    proxy = await startProxy(cleanup, {
      cp: { url: `http://127.0.0.1:${vip.port}`, adminTokenFile: '' },
      token: 'projected-client-token',
      service: 'client',
      sa: 'client',
      namespace: MESH_NS,
    });
  });
  afterAll(() => cleanup.run());

  it('serves the same shared CA from both replicas', () => {
    // Both started against one Secret: the second read the first one's CA.
    expect(api.list('secrets')).toHaveLength(1);
  });

  it('keeps proxies configured when the leader dies, and a new leader writes status', async () => {
    await waitFor(
      'route in force',
      async () => {
        const r = await get(proxy.outbound, { host: `echo.${MESH_NS}` });
        return r.status === 200;
      },
      20_000,
    );
    await replicas['cp-a']?.stop('SIGKILL');
    // Traffic keeps flowing on the configuration the proxy holds while its watch moves.
    for (let i = 0; i < 20; i++) {
      const r = await get(proxy.outbound, { host: `echo.${MESH_NS}` });
      expect(r.status).toBe(200);
    }
    await waitFor('cp-b takes the Lease over', () => lease() === 'cp-b', 20_000);
    // A change made after the failover reaches the proxy through the surviving replica...
    const [route] = gatewayApiDocs(dir, 'httproute-weight.yaml') as [KubeObject];
    type Spec = { rules: Array<{ backendRefs: Array<{ name: string; weight: number }> }> };
    const allToV2 = structuredClone(route);
    (allToV2.spec as Spec).rules[0]?.backendRefs.forEach(
      (b) => (b.weight = b.name === 'echo-v2' ? 1 : 0),
    );
    api.apply('httproutes', allToV2);
    await waitFor(
      'proxy follows the new weights',
      async () => {
        const v2 = backends['v2']?.hits ?? 0;
        for (let i = 0; i < 10; i++) await get(proxy.outbound, { host: `echo.${MESH_NS}` });
        return (backends['v2']?.hits ?? 0) - v2 === 10;
      },
      20_000,
    );
    // ...and the new leader writes the status of a route created after the failover.
    api.apply('httproutes', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'after-failover', namespace: MESH_NS },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'echo-v1' }],
        rules: [{ backendRefs: [{ name: 'echo-v1', port: 8080 }] }],
      },
    });
    await waitFor(
      'status from the new leader',
      () => {
        const s = api.get('httproutes', MESH_NS, 'after-failover')?.status as
          { parents?: Array<{ conditions: Array<{ type: string; status: string }> }> } | undefined;
        return s?.parents?.[0]?.conditions.some(
          (c) => c.type === 'Accepted' && c.status === 'True',
        );
      },
      20_000,
    );
  });
});
