import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import tls from 'node:tls';
import {
  ControlPlaneError,
  createControlPlaneClient,
  createCsr,
  createWorkloadIdentity,
  verifyPeerIdentity,
  spiffeServerIdentityCheck,
  type ControlPlaneClient,
  type Endpoint,
  type EndpointRegistration,
} from '@meshlens/cp-client';
import type { MeshConfig } from '@meshlens/mesh-config';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../src/server';
import { flags, joinToken, startInProcess, tempDir, waitFor } from './helpers';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function cp(over: Parameters<typeof flags>[0] extends infer F ? Partial<F> : never = {}) {
  const data = tempDir('cp-data-');
  cleanups.push(data.cleanup);
  const running = await startInProcess(flags({ dataDir: data.dir, ...over }));
  cleanups.push(() => running.close());
  return running;
}

function client(running: RunningControlPlane, token?: string): ControlPlaneClient {
  const c = createControlPlaneClient({
    url: running.url,
    ...(token ? { token } : {}),
    backoff: { initialMs: 50, maxMs: 200 },
  });
  cleanups.unshift(() => c.close());
  return c;
}

/** A registration posted as a lease stream, as a proxy holds it, with fetch. */
function openLeaseStream(
  running: RunningControlPlane,
  token: string,
  registration: EndpointRegistration,
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${running.url}/api/v1/endpoints`, {
    method: 'POST',
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify(registration),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Registrations answered 200 (a lease stream counts when it opens). */
async function endpointPosts(running: RunningControlPlane): Promise<number> {
  const text = await (await fetch(`${running.url}/metrics`)).text();
  const m =
    /meshlens_cp_http_requests_total\{method="POST",route="\/api\/v1\/endpoints",code="200"\} (\d+)/.exec(
      text,
    );
  return Number(m?.[1] ?? 0);
}

const reg = (pod: string, port: number, version = 'v1'): EndpointRegistration => ({
  namespace: 'shop',
  service: 'reviews',
  workload: `reviews-${version}`,
  pod,
  version,
  serviceAccount: 'reviews',
  address: '127.0.0.1',
  port,
  adminAddress: '127.0.0.1',
  adminPort: port + 1,
  proxyVersion: '0.1.0',
});

describe('discovery', () => {
  it('pushes a snapshot first, then changes, and drops an endpoint whose lease is not renewed', async () => {
    const running = await cp({ leaseTtlSeconds: 1 });
    const token = await joinToken(running, 'shop', 'reviews');
    const c = client(running, token);
    await c.register(reg('reviews-1', 9001));
    const updates: string[][] = [];
    c.watchEndpoints('reviews.shop', (eps: Endpoint[]) =>
      updates.push(eps.map((e) => e.pod).sort()),
    );
    await waitFor('snapshot', () => updates.length >= 1);
    expect(updates[0]).toEqual(['reviews-1']);

    // A registration without a client renewing it: it must vanish after its 1 s lease.
    const raw = await fetch(`${running.url}/api/v1/endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(reg('reviews-2', 9003, 'v2')),
    });
    expect(await raw.json()).toEqual({ leaseTtlSeconds: 1, leaseStream: true });
    await waitFor('v2 added', () => updates.some((u) => u.length === 2));
    await waitFor('v2 expired', () => updates.at(-1)?.join() === 'reviews-1', 5000);
    // The client's one is still there after several lease periods: held by its lease stream.
    expect((await c.listEndpoints()).map((e) => e.pod)).toEqual(['reviews-1']);
    expect(updates).toEqual([['reviews-1'], ['reviews-1', 'reviews-2'], ['reviews-1']]);
    expect((await c.status()).leaseStreams).toBe(1);
  });

  it('holds a lease while its stream is open, sending nothing, and drops it one TTL after', async () => {
    const running = await cp({ leaseTtlSeconds: 1 });
    const token = await joinToken(running, 'shop', 'reviews');
    const c = client(running, token);
    await c.register(reg('reviews-1', 9001));
    await waitFor('lease stream open', async () => (await c.status()).leaseStreams === 1);

    // A proxy that goes away without deregistering: its stream ends, and one TTL later so
    // does its endpoint.
    const ac = new AbortController();
    const stream = await openLeaseStream(running, token, reg('reviews-2', 9003), ac.signal);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(
      'event: lease\ndata: {"leaseTtlSeconds":1}\n\n',
    );
    // A plain registration beside them: its expiry shows a whole TTL went by and a sweep ran.
    const plain = await fetch(`${running.url}/api/v1/endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(reg('reviews-3', 9005)),
    });
    expect(plain.status).toBe(200);
    await waitFor(
      'the plain lease expired',
      async () => !(await c.listEndpoints()).some((e) => e.pod === 'reviews-3'),
      5000,
    );
    // The held ones outlived it with no renewal (the client's would be three a second): the
    // POSTs are the client's registration and its stream, the stream above and the plain one.
    expect((await c.listEndpoints()).map((e) => e.pod).sort()).toEqual(['reviews-1', 'reviews-2']);
    expect(await endpointPosts(running)).toBe(4);

    ac.abort();
    await waitFor(
      'the abandoned lease expired',
      async () => (await c.listEndpoints()).map((e) => e.pod).join() === 'reviews-1',
      5000,
    );
    expect((await c.status()).leaseStreams).toBe(1);
  });

  it('ends a lease stream at its maximum age: the proxy registers again quietly, a frozen one drops out', async () => {
    const running = await cp({ leaseTtlSeconds: 1, leaseStreamMaxSeconds: 1 });
    const token = await joinToken(running, 'shop', 'reviews');
    const warnings: string[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: (_o: object, msg: string) => warnings.push(msg),
      error: (_o: object, msg: string) => warnings.push(msg),
    };
    const c = createControlPlaneClient({ url: running.url, token, logger });
    cleanups.unshift(() => c.close());
    await c.register(reg('reviews-1', 9001));
    // "Frozen": a stream whose reader never reconnects once the control plane ends it.
    const frozen = await openLeaseStream(running, token, reg('reviews-2', 9003));
    const ended = frozen.text(); // resolves when the control plane ends it (0.75-1 s)
    expect(await ended).toBe('event: lease\ndata: {"leaseTtlSeconds":1}\n\n');
    await waitFor(
      'the frozen one dropped out one TTL after its stream ended',
      async () => (await c.listEndpoints()).map((e) => e.pod).join() === 'reviews-1',
      5000,
    );
    // Meanwhile the client's stream was ended too (at least once: 1.75 s went by) and came back
    // at once, registering again: its first POST, its first stream, the frozen one, and more.
    await waitFor('the client registered again', async () => (await c.status()).leaseStreams === 1);
    expect(await endpointPosts(running)).toBeGreaterThanOrEqual(4);
    expect((await c.listEndpoints()).map((e) => e.pod)).toEqual(['reviews-1']);
    expect(warnings).toEqual([]);
  });

  it('rejects an invalid registration naming the field', async () => {
    const running = await cp();
    const token = await joinToken(running, 'shop', 'reviews');
    const res = await fetch(`${running.url}/api/v1/endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...reg('p', 1), port: 70000 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe(
      'invalid endpoint registration: port: Too big: expected number to be <=65535',
    );
  });

  it('keeps the last state while the control plane is down and re-registers after its restart', async () => {
    const data = tempDir('cp-data-');
    cleanups.push(data.cleanup);
    let running = await startInProcess(flags({ dataDir: data.dir, leaseTtlSeconds: 1 }));
    const port = running.port;
    // The join token is persisted (hashed) in the data dir: it still works after the restart.
    const c = createControlPlaneClient({
      url: running.url,
      token: await joinToken(running, 'shop', 'reviews'),
      backoff: { initialMs: 50, maxMs: 200 },
    });
    cleanups.push(() => c.close());
    await c.register(reg('reviews-1', 9001));
    const updates: number[] = [];
    c.watchEndpoints('reviews.shop', (eps) => updates.push(eps.length));
    await waitFor('snapshot', () => updates[0] === 1);
    await running.close();
    running = await startInProcess(flags({ dataDir: data.dir, leaseTtlSeconds: 1, port }));
    cleanups.push(() => running.close());
    // The new process restores the saved endpoints, and the client's lease stream, reconnected,
    // registers again and holds it past the restored entry's 1 s lease.
    await waitFor('watch resumed', () => updates.length >= 2);
    await waitFor('lease stream reconnected', async () => (await c.status()).leaseStreams === 1);
    const heldSince = Date.now();
    await waitFor('two lease periods', () => Date.now() - heldSince > 2000, 5000);
    expect((await c.listEndpoints()).map((e) => e.pod)).toEqual(['reviews-1']);
    expect(updates.every((n) => n === 1)).toBe(true);
  });
});

describe('configuration', () => {
  const route = (weightV1: number, weightV2: number) => `
apiVersion: meshlens.io/v1alpha1
kind: HTTPRoute
metadata: { name: reviews, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules:
    - backendRefs:
        - { name: reviews, version: v1, weight: ${weightV1} }
        - { name: reviews, version: v2, weight: ${weightV2} }
`;

  it('pushes valid changes and rejects invalid ones, keeping the previous version', async () => {
    const cfg = tempDir('cp-config-');
    cleanups.push(cfg.cleanup);
    const file = path.join(cfg.dir, 'reviews.yaml');
    writeFileSync(file, route(90, 10));
    const running = await cp({ configDir: cfg.dir });
    const c = client(running, await joinToken(running, 'shop', 'reviews'));
    const seen: Array<{ version: string; config: MeshConfig }> = [];
    c.watchConfig((config, version) => seen.push({ version, config }));
    await waitFor('config snapshot', () => seen.length === 1);
    const weights = (i: number) =>
      seen[i]?.config.routes[0]?.rules[0]?.backendRefs.map((b) => b.weight);
    expect(weights(0)).toEqual([90, 10]);

    writeFileSync(file, route(50, 50));
    await waitFor('change pushed', () => seen.length === 2);
    expect(weights(1)).toEqual([50, 50]);
    const good = (await c.status()).configVersion;
    expect(good).toBe(seen[1]?.version);

    writeFileSync(file, route(50, -5));
    const status = await waitFor('rejection', async () => {
      const s = await c.status();
      return s.lastConfigError ? s : undefined;
    });
    expect(status.configVersion).toBe(good);
    expect(status.lastConfigError?.errors).toEqual([
      {
        file,
        object: 'HTTPRoute shop/reviews',
        field: 'spec.rules[0].backendRefs[1].weight',
        message: 'Too small: expected number to be >=0',
      },
    ]);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain('meshlens_cp_config_rejections_total 1\n');
    expect(metrics).toContain(`meshlens_cp_config_info{version="${good}"} 1\n`);
    expect(seen).toHaveLength(2);
    expect((await c.getConfig()).version).toBe(good);
  });
});

describe('identity', () => {
  it('signs a CSR for a valid token only, with the SPIFFE id and TTL', async () => {
    const running = await cp({ certTtlMs: 3600_000 });
    const TOKEN = await joinToken(running, 'shop', 'frontend');
    const { csrPem } = await createCsr('spiffe://cluster.local/ns/shop/sa/frontend');
    await expect(client(running).issueCertificate(csrPem)).rejects.toMatchObject({
      status: 401,
      message: 'a workload token is required (Authorization: Bearer <token>)',
    });
    await expect(
      client(running, 'wrong-token-123').issueCertificate(csrPem),
    ).rejects.toBeInstanceOf(ControlPlaneError);
    const foreign = await createCsr('spiffe://other.domain/ns/shop/sa/frontend');
    await expect(client(running, TOKEN).issueCertificate(foreign.csrPem)).rejects.toMatchObject({
      status: 400,
      message:
        'SPIFFE id spiffe://other.domain/ns/shop/sa/frontend is not in trust domain cluster.local',
    });

    const before = Date.now();
    const issued = await client(running, TOKEN).issueCertificate(csrPem);
    const cert = new X509Certificate(issued.certificatePem);
    const ca = new X509Certificate(issued.caPem);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.subjectAltName).toBe('URI:spiffe://cluster.local/ns/shop/sa/frontend');
    expect(cert.ca).toBe(false);
    expect(ca.ca).toBe(true);
    const ttl = issued.notAfter.getTime() - before;
    expect(ttl).toBeGreaterThan(3600_000 - 5000);
    expect(ttl).toBeLessThanOrEqual(3600_000 + 5000);
    expect(issued.notAfter.getTime()).toBe(new Date(cert.validTo).getTime());
    const status = await client(running).status();
    expect(status.certsIssued).toBe(1);
    expect(status.earliestCertExpiry).toBe(issued.notAfter.toISOString());
  });

  it('keeps the generated CA across restarts', async () => {
    const data = tempDir('cp-data-');
    cleanups.push(data.cleanup);
    const first = await startInProcess(flags({ dataDir: data.dir }));
    const caExpiry = (await createControlPlaneClient({ url: first.url }).status()).caExpiry;
    await first.close();
    const second = await startInProcess(flags({ dataDir: data.dir }));
    cleanups.push(() => second.close());
    expect((await createControlPlaneClient({ url: second.url }).status()).caExpiry).toBe(caExpiry);
  });

  it('gives two workloads certificates that authenticate each other over TLS 1.3, and rotates them', async () => {
    const running = await cp({ certTtlMs: 6000 });
    const server = await createWorkloadIdentity({
      client: client(running, await joinToken(running, 'shop', 'reviews')),
      namespace: 'shop',
      serviceAccount: 'reviews',
      trustDomain: 'cluster.local',
    });
    const caller = await createWorkloadIdentity({
      client: client(running, await joinToken(running, 'shop', 'frontend')),
      namespace: 'shop',
      serviceAccount: 'frontend',
      trustDomain: 'cluster.local',
    });
    cleanups.push(
      () => server.close(),
      () => caller.close(),
    );
    const s = server.current();
    const peers: string[] = [];
    const tlsServer = tls.createServer(
      {
        key: s.keyPem,
        cert: s.certPem,
        ca: s.caPem,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.3',
      },
      (socket) => {
        const r = verifyPeerIdentity(socket, { trustDomain: 'cluster.local' });
        peers.push(r.ok ? r.id : r.reason);
        socket.end('ok');
      },
    );
    server.onRotate((m) =>
      tlsServer.setSecureContext({ key: m.keyPem, cert: m.certPem, ca: m.caPem }),
    );
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    cleanups.push(() => new Promise((r) => tlsServer.close(r)));
    const port = (tlsServer.address() as { port: number }).port;
    const connect = async () => {
      const m = caller.current();
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        key: m.keyPem,
        cert: m.certPem,
        ca: m.caPem,
        minVersion: 'TLSv1.3',
        checkServerIdentity: spiffeServerIdentityCheck({
          trustDomain: 'cluster.local',
          expected: 'spiffe://cluster.local/ns/shop/sa/reviews',
        }),
      });
      await once(socket, 'secureConnect');
      const protocol = socket.getProtocol();
      socket.on('data', () => {});
      await once(socket, 'end');
      socket.destroy();
      return protocol;
    };
    expect(await connect()).toBe('TLSv1.3');
    expect(peers).toEqual(['spiffe://cluster.local/ns/shop/sa/frontend']);

    const firstNotAfter = server.current().notAfter.getTime();
    let rotations = 0;
    server.onRotate(() => rotations++);
    await waitFor('rotation', () => rotations > 0, 8000);
    expect(server.current().notAfter.getTime()).toBeGreaterThan(firstNotAfter);
    expect(await connect()).toBe('TLSv1.3');
    expect(peers).toHaveLength(2);
  });
});
