/**
 * How long a configuration change takes to reach N watching clients, and the control plane's
 * memory with 1,000 registered endpoints and 200 watchers. The control plane runs as a child
 * process; the watchers are cp-client instances in this process (one HTTP connection each).
 * Baselines measured in the same run: 1 watcher (latency) and the idle process (memory).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createControlPlaneClient,
  createTokenAdminClient,
  type ControlPlaneClient,
} from '@meshlens/cp-client';
import { CP_MAIN, spawnTs } from '../test/spawn';

const WATCHERS = 200;
const ENDPOINTS = 1000;
const CHANGES = 10;

const routeYaml = (i: number) => `apiVersion: meshlens.io/v1alpha1
kind: HTTPRoute
metadata: { name: reviews, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules:
    - backendRefs:
        - { name: reviews, version: v1, weight: ${100 - (i % 50)} }
        - { name: reviews, version: v2, weight: ${i % 50} }
`;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

async function heapUsedMiB(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return (
    Number(/^meshlens_cp_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN) / 2 ** 20
  );
}

async function measureFanout(
  file: string,
  clients: ControlPlaneClient[],
  startAt: number,
): Promise<number[]> {
  const samples: number[] = [];
  let resolveRound: () => void = () => {};
  let pending = 0;
  let writtenAt = 0;
  let expected = '';
  const versions = new Map<number, string>();
  const stops = clients.map((c, idx) =>
    c.watchConfig((cfg, version) => {
      versions.set(idx, version);
      const w = cfg.routes[0]?.rules[0]?.backendRefs[1]?.weight;
      if (expected !== '' && String(w) === expected) {
        samples.push(performance.now() - writtenAt);
        if (--pending === 0) resolveRound();
      }
    }),
  );
  const deadline = Date.now() + 30_000;
  while (versions.size < clients.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  if (versions.size < clients.length)
    throw new Error(`only ${versions.size} watchers got a snapshot`);
  for (let i = startAt; i < startAt + CHANGES; i++) {
    pending = clients.length;
    expected = String(i % 50);
    const round = new Promise<void>((r) => (resolveRound = r));
    writtenAt = performance.now();
    writeFileSync(file, routeYaml(i));
    await Promise.race([
      round,
      new Promise((_, rej) =>
        setTimeout(() => rej(new Error('change not delivered in 10 s')), 10_000),
      ),
    ]);
  }
  for (const s of stops) s();
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cp-bench-'));
  const configDir = path.join(dir, 'config');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(configDir);
  const file = path.join(configDir, 'route.yaml');
  writeFileSync(file, routeYaml(1));
  const cp = await spawnTs(
    CP_MAIN,
    [
      '--port',
      '0',
      '--config-dir',
      configDir,
      '--data-dir',
      path.join(dir, 'data'),
      '--lease-ttl-seconds',
      '600',
      '--log-level',
      'warn',
    ],
    { name: 'control-plane' },
  );
  const url = String(cp.listening['url']);
  const pid = cp.child.pid ?? 0;
  // Watchers read with the admin token (any valid token may watch); each registration carries a
  // join token of its own service account, as proxies do.
  const adminToken = (await readFile(String(cp.listening['adminTokenFile']), 'utf8')).trim();
  const admin = createTokenAdminClient({ url, adminToken });
  const joinTokens = new Map<string, string>();
  for (let k = 0; k < 100; k++) {
    const created = await admin.create({
      namespace: `ns${k % 10}`,
      serviceAccount: `sa${k}`,
      ttlSeconds: 3600,
    });
    joinTokens.set(`ns${k % 10}/sa${k}`, created.token);
  }
  const clients: ControlPlaneClient[] = [];
  try {
    await new Promise((r) => setTimeout(r, 500));
    const idleRss = await rssKiB(pid);
    const idleHeap = await heapUsedMiB(url);

    const one = createControlPlaneClient({ url, token: adminToken });
    clients.push(one);
    const base = await measureFanout(file, [one], 2);

    for (let i = 0; i < WATCHERS; i++)
      clients.push(createControlPlaneClient({ url, token: adminToken }));
    const many = await measureFanout(file, clients.slice(1), 20);

    // 1,000 endpoints over 100 services, registered once (the 600 s lease outlives the run).
    const reg = createControlPlaneClient({ url, token: adminToken });
    clients.push(reg);
    for (let i = 0; i < ENDPOINTS; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) => {
          const n = i + k;
          return fetch(`${url}/api/v1/endpoints`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${joinTokens.get(`ns${n % 10}/sa${n % 100}`) ?? ''}`,
            },
            body: JSON.stringify({
              namespace: `ns${n % 10}`,
              service: `svc${n % 100}`,
              workload: `svc${n % 100}-v1`,
              pod: `pod-${n}`,
              version: 'v1',
              serviceAccount: `sa${n % 100}`,
              address: `10.0.${Math.floor(n / 250)}.${n % 250}`,
              port: 8080,
              adminAddress: '127.0.0.1',
              adminPort: 9000 + n,
              proxyVersion: '0.1.0',
            }),
          });
        }),
      );
    }
    // 200 watchers: half on the config, half on endpoints of one service each.
    const stops = clients
      .slice(1, WATCHERS + 1)
      .map((c, i) =>
        i % 2 === 0
          ? c.watchConfig(() => {})
          : c.watchEndpoints(`svc${i % 100}.ns${i % 10}`, () => {}),
      );
    // Measure once every watch stream is open on the server side.
    let status = await reg.status();
    const until = Date.now() + 30_000;
    while (status.watchers < WATCHERS && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      status = await reg.status();
    }
    const loadedRss = await rssKiB(pid);
    const loadedHeap = await heapUsedMiB(url);
    for (const s of stops) s();

    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    const p = (s: number[], q: number) => quantile(s, q);
    console.log(
      `config change -> watcher (file write, 150 ms debounce, reload, push, client parse), ${CHANGES} changes`,
    );
    console.log(
      `  baseline 1 watcher     : p50 ${fmt(p(base, 0.5))}  p99 ${fmt(p(base, 0.99))}  (n=${base.length})`,
    );
    console.log(
      `  ${WATCHERS} watchers          : p50 ${fmt(p(many, 0.5))}  p99 ${fmt(p(many, 0.99))}  max ${fmt(many.at(-1) ?? NaN)}  (n=${many.length})`,
    );
    console.log(
      `  ratio ${WATCHERS}/1            : p50 x${(p(many, 0.5) / p(base, 0.5)).toFixed(2)}  p99 x${(p(many, 0.99) / p(base, 0.99)).toFixed(2)}`,
    );
    console.log(`  target p99 < 1000 ms   : ${p(many, 0.99) < 1000 ? 'met' : 'NOT met'}`);
    console.log(
      `control plane memory (endpoints=${status.endpoints}, watchers=${status.watchers})`,
    );
    console.log(
      `  idle     : RSS ${(idleRss / 1024).toFixed(1)} MiB, heap used ${idleHeap.toFixed(1)} MiB`,
    );
    console.log(
      `  loaded   : RSS ${(loadedRss / 1024).toFixed(1)} MiB, heap used ${loadedHeap.toFixed(1)} MiB`,
    );
    console.log(
      `  ratio    : RSS x${(loadedRss / idleRss).toFixed(2)}, heap x${(loadedHeap / idleHeap).toFixed(2)}`,
    );
  } finally {
    for (const c of clients) c.close();
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
