import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
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
});
