import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMeshConfigText } from '@meshlens/mesh-config';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../src/meshConfigSource';
import { createMeshAuthorizer, createMeshRouter } from '../src/meshRouter';
import {
  discoveryYaml,
  load,
  request,
  startProxy,
  startUpstream,
  waitFor,
  type RunningProxy,
  type Upstream,
} from './helpers';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
  status: { code: number; message?: string };
}

let proxy: RunningProxy | undefined;
let ups: Upstream[] = [];
let collector: http.Server | undefined;

afterEach(async () => {
  await proxy?.stop();
  await Promise.all(ups.map((u) => u.close()));
  collector?.closeAllConnections();
  await new Promise<void>((r) => (collector ? collector.close(() => r()) : r()));
  proxy = undefined;
  collector = undefined;
  ups = [];
});

/** A fake OTLP/HTTP JSON collector that keeps every span it receives. */
async function startCollector(): Promise<{ url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = [];
  collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.end('{}');
    });
  });
  await new Promise<void>((r) => collector!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`, spans };
}

function echoHeaders(): Promise<Upstream> {
  return startUpstream((req, res) => res.end(JSON.stringify(req.headers)));
}

describe('trace context', () => {
  it('passes W3C trace context to the upstream with the proxy span as parent', async () => {
    const up = await echoHeaders();
    ups = [up];
    proxy = await startProxy({ discovery: discoveryYaml([{ service: 'reviews', port: up.port }]) });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const reply = await request(proxy.outbound, {
      host: 'reviews.shop',
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, tracestate: 'vendor=x' },
    });
    const seen = JSON.parse(reply.body) as Record<string, string>;
    expect(seen.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(seen.traceparent).not.toContain('00f067aa0ba902b7');
    expect(seen.tracestate).toBe('vendor=x');
  });

  it('accepts B3 single and multi headers and keeps the unsampled decision', async () => {
    const up = await echoHeaders();
    ups = [up];
    proxy = await startProxy({ discovery: discoveryYaml([{ service: 'reviews', port: up.port }]) });
    const single = JSON.parse(
      (
        await request(proxy.outbound, {
          host: 'reviews.shop',
          headers: { b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0' },
        })
      ).body,
    ) as Record<string, string>;
    expect(single.traceparent).toMatch(/^00-80f198ee56343ba864fe8b2a57d3eff7-[0-9a-f]{16}-00$/);
    expect(single.b3).toMatch(/^80f198ee56343ba864fe8b2a57d3eff7-[0-9a-f]{16}-0$/);
    const multi = JSON.parse(
      (
        await request(proxy.outbound, {
          host: 'reviews.shop',
          headers: {
            'x-b3-traceid': '463ac35c9f6413ad',
            'x-b3-spanid': 'a2fb4a1d1a96d312',
            'x-b3-sampled': '1',
          },
        })
      ).body,
    ) as Record<string, string>;
    expect(multi.traceparent).toMatch(/^00-0000000000000000463ac35c9f6413ad-[0-9a-f]{16}-01$/);
    expect(multi['x-b3-traceid']).toBe('0000000000000000463ac35c9f6413ad');
  });

  it('exports a client span outbound and a server span inbound, linked', async () => {
    const up = await echoHeaders();
    ups = [up];
    const col = await startCollector();
    proxy = await startProxy({
      discovery: discoveryYaml([]),
      args: ['--trace-collector-url', col.url, '--app-port', String(up.port)],
    });
    // Outbound routes to this proxy's own inbound listener: one mesh hop in one process.
    await import('node:fs').then((fs) =>
      fs.writeFileSync(
        proxy!.discoveryFile,
        discoveryYaml([{ service: 'reviews', port: proxy!.inbound }]),
      ),
    );
    await proxy.discovery.reload();
    const reply = await request(proxy.outbound, { host: 'reviews.shop', path: '/items' });
    expect(reply.status).toBe(200);
    const spans = await waitFor(
      () => (col.spans.length >= 2 ? col.spans : undefined),
      5000,
      'two spans',
    );
    const client = spans.find((s) => s.kind === 3)!;
    const server = spans.find((s) => s.kind === 2)!;
    expect(server.traceId).toBe(client.traceId);
    expect(server.parentSpanId).toBe(client.spanId);
    const seen = JSON.parse(reply.body) as Record<string, string>;
    expect(seen.traceparent).toBe(`00-${client.traceId}-${server.spanId}-01`);
    const attr = (s: OtlpSpan, k: string) => s.attributes.find((a) => a.key === k)?.value;
    expect(attr(client, 'meshlens.dst_service')).toEqual({ stringValue: 'reviews.shop' });
    expect(attr(client, 'http.response.status_code')).toEqual({ intValue: '200' });
    expect(attr(client, 'meshlens.retries')).toEqual({ intValue: '0' });
  });

  it('a dead collector changes nothing for traffic and drops are counted', async () => {
    const up = await startUpstream();
    ups = [up];
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    proxy = await startProxy({
      discovery: discoveryYaml([{ service: 'reviews', port: up.port }]),
      args: ['--trace-collector-url', `http://127.0.0.1:${deadPort}/v1/traces`],
    });
    const statuses = await load(
      600,
      6,
      async () => (await request(proxy!.outbound, { host: 'reviews.shop' })).status,
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await waitFor(
      async () => {
        const m = (await request(proxy!.admin, { path: '/metrics' })).body;
        return /meshlens_proxy_spans_dropped_total\{reason="export_failed"\} [1-9]/.test(m)
          ? true
          : undefined;
      },
      8000,
      'dropped spans to be counted',
    );
  });

  it('marks mesh-made errors as error spans with the reason, as the metrics count them', async () => {
    // reviews: an injected 400 abort on every request; ledger (this proxy's own service): only
    // the frontend identity may call, and these plain-HTTP callers have none.
    const parsed = parseMeshConfigText(
      `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: reviews, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules:
    - name: all
      matches: [{ path: { type: PathPrefix, value: / } }]
      backendRefs: [{ name: reviews }]
---
apiVersion: meshlens.io/v1alpha1
kind: FaultPolicy
metadata: { name: reviews-abort, namespace: shop }
spec:
  targetRef: { kind: HTTPRoute, name: reviews, sectionName: all }
  abort: { httpStatus: 400, percentage: 100 }
---
apiVersion: meshlens.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: ledger-callers, namespace: shop }
spec:
  targetRef: { kind: Service, name: ledger }
  from: [{ serviceAccounts: [frontend] }]
`,
      'mesh.yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const store = new ConfigStore();
    store.set(parsed.config, 'test');
    const ok = await startUpstream((req, res) => {
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('app');
    });
    const slow = await startUpstream(() => undefined); // never answers
    ups = [ok, slow];
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const col = await startCollector();
    proxy = await startProxy({
      discovery: discoveryYaml([
        { service: 'reviews', port: ok.port },
        { service: 'catalog', port: ok.port },
        { service: 'slow', port: slow.port },
        { service: 'gone', port: closedPort },
      ]),
      args: [
        ...['--trace-collector-url', col.url, '--default-timeout-ms', '300'],
        ...['--namespace', 'shop', '--service', 'ledger', '--app-port', String(ok.port)],
      ],
      deps: {
        router: createMeshRouter(store),
        authorizer: createMeshAuthorizer(store, { service: 'ledger', namespace: 'shop' }),
      },
    });
    const out = (host: string, path = '/') => request(proxy!.outbound, { host, path });
    expect((await request(proxy.inbound, { host: 'ledger.shop' })).status).toBe(403);
    expect((await out('reviews.shop')).status).toBe(400);
    expect((await out('ghost.shop')).status).toBe(503);
    expect((await out('slow.shop')).status).toBe(504);
    expect((await out('gone.shop')).status).toBe(502);
    expect((await out('catalog.shop')).status).toBe(200);
    expect((await out('catalog.shop', '/missing')).status).toBe(404);

    const spans = await waitFor(
      () => (col.spans.length >= 7 ? col.spans : undefined),
      10_000,
      'seven spans',
    );
    const str = (s: OtlpSpan, k: string): string | undefined => {
      const v = s.attributes.find((a) => a.key === k)?.value.stringValue;
      return typeof v === 'string' ? v : undefined;
    };
    const seen = spans
      .map((s) => ({
        target: str(s, 'meshlens.dst_service') ?? `inbound ${str(s, 'meshlens.direction')}`,
        status: s.status,
        reason: str(s, 'meshlens.proxy_error'),
      }))
      .sort((a, b) =>
        a.target + String(a.status.code) < b.target + String(b.status.code) ? -1 : 1,
      );
    expect(seen).toEqual([
      { target: 'catalog.shop', status: { code: 1 }, reason: undefined },
      { target: 'catalog.shop', status: { code: 1 }, reason: undefined },
      {
        target: 'ghost.shop',
        status: { code: 2, message: 'no-endpoints' },
        reason: 'no-endpoints',
      },
      {
        target: 'gone.shop',
        status: { code: 2, message: 'connect-failed' },
        reason: 'connect-failed',
      },
      { target: 'inbound inbound', status: { code: 2, message: 'forbidden' }, reason: 'forbidden' },
      {
        target: 'reviews.shop',
        status: { code: 2, message: 'fault-injected' },
        reason: 'fault-injected',
      },
      { target: 'slow.shop', status: { code: 2, message: 'timeout' }, reason: 'timeout' },
    ]);
    // The proxy's own metrics count exactly these as failures.
    const metrics = (await request(proxy.admin, { path: '/metrics' })).body;
    const total = (classification: string) =>
      metrics
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('response_total{') && l.includes(`classification="${classification}"`),
        )
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(total('failure')).toBe(spans.filter((s) => s.status.code === 2).length);
    expect(total('success')).toBe(spans.filter((s) => s.status.code !== 2).length);
  });
});
