import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseMeshConfigText } from '@meshlens/mesh-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ProxyApp } from '../src/app';
import { FileDiscovery } from '../src/discovery/fileDiscovery';
import { parseFlags } from '../src/flags';
import { ConfigStore } from '../src/meshConfigSource';
import { createMeshAuthorizer } from '../src/meshRouter';
import { MeshTls } from '../src/mtls';
import { load, request, silentLogger, startUpstream, tempDir, type Upstream } from './helpers';
import { createTestCa, type TestIdentity } from './testCa';

const AUTHZ = `
apiVersion: meshlens.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: reviews-callers, namespace: shop }
spec:
  targetRef: { kind: Service, name: reviews }
  from:
    - serviceAccounts: [frontend]
`;

interface Started {
  app: ProxyApp;
  inbound: number;
  outbound: number;
  admin: number;
  identity: TestIdentity;
}

let app: Upstream;
const started: Started[] = [];
let reviews: Started;
let frontend: Started;
let batch: Started;
let wrongPeer: Started;

async function start(opts: {
  service: string;
  sa: string;
  mode: 'permissive' | 'strict';
  ca: Awaited<ReturnType<typeof createTestCa>>;
  appPort?: number;
  endpoints?: object[];
  authz?: boolean;
}): Promise<Started> {
  const args = ['--namespace', 'shop', '--service', opts.service, '--service-account', opts.sa];
  if (opts.appPort !== undefined) args.push('--app-port', String(opts.appPort));
  const parsed = parseFlags(args, {});
  if (parsed.kind !== 'ok') throw new Error('bad flags');
  const file = path.join(tempDir(), 'discovery.json');
  writeFileSync(file, JSON.stringify({ endpoints: opts.endpoints ?? [] }));
  const discovery = new FileDiscovery({ file, logger: silentLogger });
  await discovery.start();
  const identity = await opts.ca.identity('shop', opts.sa);
  const store = new ConfigStore();
  const cfg = parseMeshConfigText(AUTHZ, 'authz.yaml');
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.errors));
  store.set(cfg.config, 'test');
  const meshTls = new MeshTls(identity, opts.mode, 'cluster.local', silentLogger);
  const proxy = createApp({
    flags: parsed.flags,
    logger: silentLogger,
    discovery: [discovery],
    meshTls,
    ...(opts.authz === true
      ? { authorizer: createMeshAuthorizer(store, { service: opts.service, namespace: 'shop' }) }
      : {}),
  });
  const bound = await proxy.start();
  const s = {
    app: proxy,
    inbound: bound.inbound.port,
    outbound: bound.outbound.port,
    admin: bound.admin.port,
    identity,
  };
  started.push(s);
  return s;
}

async function metrics(port: number): Promise<string> {
  return (await request(port, { path: '/metrics' })).body;
}

beforeAll(async () => {
  const ca = await createTestCa();
  app = await startUpstream((req, res) =>
    res.end(JSON.stringify({ xfp: req.headers['x-forwarded-proto'] })),
  );
  reviews = await start({
    service: 'reviews',
    sa: 'reviews',
    mode: 'strict',
    ca,
    appPort: app.port,
    authz: true,
  });
  const ep = (sa: string) => ({
    namespace: 'shop',
    service: 'reviews',
    serviceAccount: sa,
    address: '127.0.0.1',
    port: reviews.inbound,
  });
  frontend = await start({
    service: 'frontend',
    sa: 'frontend',
    mode: 'permissive',
    ca,
    endpoints: [ep('reviews')],
  });
  batch = await start({
    service: 'batch',
    sa: 'batch',
    mode: 'permissive',
    ca,
    endpoints: [ep('reviews')],
  });
  wrongPeer = await start({
    service: 'web',
    sa: 'frontend',
    mode: 'permissive',
    ca,
    endpoints: [ep('someone-else')],
  });
});

afterAll(async () => {
  for (const s of started) await s.app.stop(100);
  await app.close();
});

describe('mTLS between proxies', () => {
  it('carries a call over mTLS and labels both sides with the identities', async () => {
    const reply = await request(frontend.outbound, { host: 'reviews.shop' });
    expect(reply.status).toBe(200);
    // The app's own call was plain HTTP; the hop between proxies does not change that.
    expect(reply.body).toBe('{"xfp":"http"}');
    const out = (await metrics(frontend.admin))
      .split('\n')
      .find((l) => l.startsWith('request_total{direction="outbound"'));
    expect(out).toContain('tls="true"');
    expect(out).toContain('server_id="spiffe://cluster.local/ns/shop/sa/reviews"');
    expect(out).toContain('dst_service="reviews"');
    // The connection to the peer proxy is mTLS too: its tcp_* series must not say otherwise,
    // or the dashboard would call the edge "mixed".
    const upstreamTcp = (await metrics(frontend.admin))
      .split('\n')
      .filter((l) => l.startsWith('tcp_open_total{direction="outbound",peer="dst"'));
    expect(upstreamTcp.length).toBeGreaterThan(0);
    for (const l of upstreamTcp) expect(l).toContain('tls="true"');
    expect(await metrics(reviews.admin)).toContain(
      'request_total{direction="inbound",authority="reviews.shop",tls="true",client_id="spiffe://cluster.local/ns/shop/sa/frontend"} 1',
    );
  });

  it('denies a caller the policy does not allow with 403 and counts allow/deny', async () => {
    const denied = await request(batch.outbound, { host: 'reviews.shop' });
    expect(denied.status).toBe(403);
    expect(denied.headers['x-meshlens-proxy-error']).toContain(
      'spiffe://cluster.local/ns/shop/sa/batch is not allowed by AuthorizationPolicy shop/reviews-callers',
    );
    const m = await metrics(reviews.admin);
    expect(m).toContain(
      'inbound_http_authz_deny_total{authz_name="shop/reviews-callers",client_id="spiffe://cluster.local/ns/shop/sa/batch"} 1',
    );
    expect(m).toMatch(
      /inbound_http_authz_allow_total\{authz_name="shop\/reviews-callers",client_id="spiffe:\/\/cluster.local\/ns\/shop\/sa\/frontend"\} [1-9]/,
    );
    // A denial is the mesh's answer, not the app's 4xx: both sides count it as a failure.
    const inboundDenied = m
      .split('\n')
      .find((l) => l.startsWith('response_total{direction="inbound"') && l.includes('sa/batch"'));
    expect(inboundDenied).toContain('classification="failure"');
    expect(inboundDenied).toContain('status_code="403"');
    expect(inboundDenied).toContain('error="forbidden"');
    const outboundDenied = (await metrics(batch.admin))
      .split('\n')
      .find((l) => l.startsWith('response_total{direction="outbound"'));
    expect(outboundDenied).toContain('classification="failure"');
    expect(outboundDenied).toContain('error="forbidden"');
  });

  it('refuses plaintext on the inbound port in strict mode', async () => {
    const hits = app.hits;
    const plain = await request(reviews.inbound, { host: 'reviews.shop' });
    expect(plain.status).toBe(403);
    expect(plain.headers['x-meshlens-proxy-error']).toBe('tls-required');
    expect(app.hits).toBe(hits);
  });

  it('fails with 502 tls-failed when the server is not the expected identity', async () => {
    const reply = await request(wrongPeer.outbound, { host: 'reviews.shop' });
    expect(reply.status).toBe(502);
    expect(reply.headers['x-meshlens-proxy-error']).toBe('tls-failed');
  });

  it('rotates certificates under load without a failed request', async () => {
    const statuses = await load(300, 4, async (i) => {
      if (i === 100) await reviews.identity.rotate();
      if (i === 200) await frontend.identity.rotate();
      return (await request(frontend.outbound, { host: 'reviews.shop' })).status;
    });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
