import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, inNs, metricSum, PROXY_UID, sh, startIn, type NsProcess } from './netns';

// Two "pods" in network namespaces this test creates, joined by a veth pair (addresses exist
// only inside them): pod A runs an unmodified client and its proxy, pod B the reviews app, its
// proxy and the control plane. meshlens-init installs the real iptables rules in both. Needs
// root (CI runs as root); not root fails the test rather than skipping it.
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const PROXY = here('../src/main.ts');
const INIT = here('../../init/src/main.ts');
const CP = here('../../control-plane/src/main.ts');
const id = process.pid % 100000;
const A = `mlcap-a-${id}`;
const B = `mlcap-b-${id}`;
const IP_A = '10.77.0.1';
const IP_B = '10.77.0.2';
const VIP = '10.77.100.10'; // reviews' service address (a ClusterIP): nothing listens on it
const node = [process.execPath, '--import', 'tsx'];

const CONFIG = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: reviews, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules:
    - name: flaky
      matches: [{ path: { type: PathPrefix, value: /flaky } }]
      retry: { attempts: 2, codes: [503], backoff: 10ms }
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier: { set: [{ name: x-route, value: flaky }] }
`;

// The app: answers with what it saw; the first /flaky request fails with 503.
const APP = `
const http = require('node:http');
let flaky = 0;
http.createServer((req, res) => {
  req.resume();
  const failed = req.url.startsWith('/flaky') && ++flaky === 1;
  console.log(JSON.stringify({ hit: req.url, status: failed ? 503 : 200 }));
  res.writeHead(failed ? 503 : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ path: req.url, route: req.headers['x-route'] ?? null }));
}).listen(9080, '0.0.0.0', () => console.log('app listening'));
// A protocol the mesh does not speak: answers each chunk in upper case.
require('node:net').createServer((s) => s.on('data', (d) => s.write(String(d).toUpperCase())))
  .listen(7000, '0.0.0.0');
`;

const procs: NsProcess[] = [];
let adminHeader = '';
let dir = '';

function proxyArgs(ns: string, ip: string, service: string, extra: string[]): string[] {
  return [
    ...inNs(ns, true),
    ...node,
    PROXY,
    '--namespace',
    'shop',
    '--service',
    service,
    '--service-account',
    service,
    '--inbound-address',
    ip,
    '--inbound-port',
    '4143',
    '--outbound-address',
    '127.0.0.1',
    '--outbound-port',
    '4140',
    '--admin-address',
    '127.0.0.1',
    '--admin-port',
    '4191',
    '--control-plane-url',
    `http://${IP_B}:50760`,
    '--token-file',
    path.join(dir, `${service}.token`),
    '--tls-mode',
    'strict',
    '--capture',
    'enabled',
    '--log-level',
    'info',
    ...extra,
  ];
}

const curl = (ns: string, args: string[]) =>
  sh(inNs(ns)[0]!, [...inNs(ns).slice(1), 'curl', '-sS', '-m', '20', ...args]);
const metrics = (ns: string) => curl(ns, ['http://127.0.0.1:4191/metrics']);

describe('transparent capture in network namespaces', () => {
  beforeAll(async () => {
    expect(process.getuid?.(), 'capture tests need root (ip netns, iptables)').toBe(0);
    dir = mkdtempSync(path.join(tmpdir(), 'meshlens-capture-'));
    chmodSync(dir, 0o755); // the proxies run as uid 2102 and read the discovery file
    mkdirSync(path.join(dir, 'config'));
    writeFileSync(path.join(dir, 'config', 'reviews.yaml'), CONFIG);
    writeFileSync(path.join(dir, 'app.cjs'), APP);
    // Pod A learns reviews' service address from a discovery file; endpoints come from the
    // control plane.
    writeFileSync(
      path.join(dir, 'discovery.yaml'),
      `destinations:\n  reviews.shop: { addresses: ["${VIP}:80"] }\n`,
    );
    sh('ip', ['netns', 'add', A]);
    sh('ip', ['netns', 'add', B]);
    sh('ip', ['link', 'add', `mlca${id}`, 'type', 'veth', 'peer', 'name', `mlcb${id}`]);
    for (const [ns, dev, ip] of [
      [A, `mlca${id}`, IP_A],
      [B, `mlcb${id}`, IP_B],
    ] as const) {
      sh('ip', ['link', 'set', dev, 'netns', ns]);
      sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      sh('ip', ['-n', ns, 'route', 'add', 'default', 'dev', dev]);
    }
    sh(inNs(B)[0]!, [
      ...inNs(B).slice(1),
      ...node,
      INIT,
      '--proxy-uid',
      String(PROXY_UID),
      '--inbound-ports',
      '9080',
    ]);
    sh(inNs(A)[0]!, [
      ...inNs(A).slice(1),
      ...node,
      INIT,
      '--proxy-uid',
      String(PROXY_UID),
      '--inbound-ports',
      '8080',
    ]);

    const cp = startIn(
      [
        ...inNs(B),
        ...node,
        CP,
        '--address',
        '0.0.0.0',
        '--port',
        '50760',
        '--config-dir',
        path.join(dir, 'config'),
        '--data-dir',
        path.join(dir, 'cp-data'),
        '--lease-ttl-seconds',
        '5',
      ],
      'control plane',
    );
    procs.push(cp);
    const app = startIn([...inNs(B), process.execPath, path.join(dir, 'app.cjs')], 'app');
    procs.push(app);
    await Promise.all([
      cp.waitForLine((l) => l.includes('"listening"'), 'listening line'),
      app.waitForLine((l) => l === 'app listening', 'listening line'),
    ]);
    // Each proxy proves its own service account with a join token made with the admin token.
    const admin = readFileSync(path.join(dir, 'cp-data', 'admin.token'), 'utf8').trim();
    adminHeader = `authorization: Bearer ${admin}`;
    for (const sa of ['reviews', 'web']) {
      const created = JSON.parse(
        curl(B, [
          '-H',
          adminHeader,
          '-H',
          'content-type: application/json',
          '--data',
          JSON.stringify({ namespace: 'shop', serviceAccount: sa, ttlSeconds: 3600 }),
          'http://127.0.0.1:50760/api/v1/tokens',
        ]),
      ) as { token: string };
      const file = path.join(dir, `${sa}.token`);
      writeFileSync(file, created.token, { mode: 0o600 });
      chownSync(file, PROXY_UID, PROXY_UID); // the proxies run as their own uid
    }
    const proxyB = startIn(proxyArgs(B, IP_B, 'reviews', ['--app-port', '9080']), 'proxy B');
    const proxyA = startIn(
      proxyArgs(A, IP_A, 'web', ['--discovery-file', path.join(dir, 'discovery.yaml')]),
      'proxy A',
    );
    procs.push(proxyB, proxyA);
    await Promise.all([
      proxyB.waitForLine((l) => l.includes('"msg":"listening"'), 'listening line'),
      proxyA.waitForLine((l) => l.includes('"msg":"listening"'), 'listening line'),
    ]);
    await eventually('reviews registered with the control plane', () =>
      curl(B, ['-H', adminHeader, 'http://127.0.0.1:50760/api/v1/endpoints']).includes(
        '"service":"reviews"',
      )
        ? true
        : undefined,
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    for (const ns of [A, B]) sh('sh', ['-c', `ip netns del ${ns} 2>/dev/null || true`]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('an unmodified client reaches a service address through both proxies, with mTLS, a retry and the route', () => {
    // curl and Node's fetch as the app would run them: no proxy variables, no Host trick.
    const viaCurl = curl(A, ['-w', '\\n%{http_code}', `http://${VIP}/flaky`]);
    expect(viaCurl).toBe('{"path":"/flaky","route":"flaky"}\n200');
    const viaFetch = sh(inNs(A)[0]!, [
      ...inNs(A).slice(1),
      process.execPath,
      '-e',
      `fetch('http://${VIP}/hello').then(async (r) => console.log(r.status, await r.text()))`,
    ]);
    expect(viaFetch).toBe('200 {"path":"/hello","route":null}\n');

    const a = metrics(A);
    const outbound = {
      direction: 'outbound',
      dst_service: 'reviews',
      dst_namespace: 'shop',
      tls: 'true',
    };
    expect(
      metricSum(a, 'response_total', {
        ...outbound,
        status_code: '200',
        classification: 'success',
      }),
    ).toBe(2);
    expect(
      metricSum(a, 'response_total', {
        ...outbound,
        server_id: 'spiffe://cluster.local/ns/shop/sa/reviews',
      }),
    ).toBe(2);
    expect(metricSum(a, 'meshlens_proxy_retries_total', { dst_service: 'reviews' })).toBe(1);
    const b = metrics(B);
    // Inbound: three requests (one was the failed first attempt), all over mTLS from web.
    expect(
      metricSum(b, 'request_total', {
        direction: 'inbound',
        tls: 'true',
        client_id: 'spiffe://cluster.local/ns/shop/sa/web',
      }),
    ).toBe(3);
  });

  it('a client dialling the app’s own address and port still meets the inbound proxy (plaintext: 403)', () => {
    const hitsBefore = procs[1]!.lines.filter((l) => l.startsWith('{"hit"')).length;
    // The Host is no service: pod A's proxy passes the connection through as plain TCP, and
    // pod B's rules send it to the inbound proxy, which wants mTLS.
    const out = curl(A, ['-i', `http://${IP_B}:9080/direct`]);
    expect(out).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(out).toContain('x-meshlens-proxy-error: tls-required');
    // A caller without a proxy (the proxy's uid is not captured) is refused the same way.
    const unmeshed = sh(inNs(A, true)[0]!, [
      ...inNs(A, true).slice(1),
      'curl',
      '-sS',
      '-m',
      '20',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://${IP_B}:9080/direct`,
    ]);
    expect(unmeshed).toBe('403');
    expect(procs[1]!.lines.filter((l) => l.startsWith('{"hit"')).length).toBe(hitsBefore);
    const a = metrics(A);
    expect(
      metricSum(a, 'tcp_open_total', { direction: 'outbound', peer: 'dst', tls: 'no_identity' }),
    ).toBe(1);
  });

  it('a protocol that is not HTTP passes through as plain TCP and is counted in tcp_*', () => {
    const reply = sh(inNs(A)[0]!, [
      ...inNs(A).slice(1),
      process.execPath,
      '-e',
      `const s = require('node:net').connect(7000, '${IP_B}', () => s.write('ping'));
       s.on('data', (d) => { console.log(String(d)); s.end(); });`,
    ]);
    expect(reply).toBe('PING\n');
    const a = metrics(A);
    expect(
      metricSum(a, 'tcp_open_total', { direction: 'outbound', peer: 'dst', tls: 'no_identity' }),
    ).toBe(2);
    expect(
      metricSum(a, 'tcp_read_bytes_total', { direction: 'outbound', peer: 'dst' }),
    ).toBeGreaterThanOrEqual(4);
  });

  it('the proxies’ own connections are not looped back into their outbound listeners', () => {
    // Pod A's outbound listener saw exactly the app's four connections: the proxy's own
    // connections (control plane, pod B, passthrough) were not redirected to it.
    expect(metricSum(metrics(A), 'tcp_open_total', { direction: 'outbound', peer: 'src' })).toBe(4);
    expect(metricSum(metrics(B), 'tcp_open_total', { direction: 'outbound', peer: 'src' })).toBe(0);
  });
});
