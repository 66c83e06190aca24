import { parseExposition } from '@meshlens/prom';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, echoClient, say, startEchoServer, type EchoServer } from './grpcApp';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request, waitFor } from './helpers';
import { startMeshProxy, type MeshProxy } from './meshProxy';
import { createTestCa } from './testCa';

/** Sum of the samples of `name` whose labels include `match`, from a proxy's /metrics. */
async function metric(admin: number, name: string, match: Record<string, string>) {
  const text = (await request(admin, { path: '/metrics' })).body;
  let total = 0;
  for (const f of parseExposition(text)) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
  }
  return total;
}

interface OtlpSpan {
  kind: number;
  attributes: { key: string; value: { intValue?: string | number; stringValue?: string } }[];
  status: { code: number };
}

/** A minimal OTLP/HTTP JSON collector keeping every span it receives. */
async function startCollector() {
  const spans: OtlpSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return { url, spans, close };
}

function attr(span: OtlpSpan, key: string): unknown {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v?.intValue ?? v?.stringValue;
}

let endpoints: object[] = [];
let ca: Awaited<ReturnType<typeof createTestCa>>;
const servers: EchoServer[] = [];
const proxies: MeshProxy[] = [];
let client: MeshProxy;

beforeAll(async () => {
  ca = await createTestCa();
  // Three gRPC servers, each behind its own inbound proxy (strict mTLS). The proxies learn from
  // the content-type that the app speaks gRPC, hence h2c, without --app-protocol.
  endpoints = [];
  for (const id of ['echo-a', 'echo-b', 'echo-c']) {
    const server = await startEchoServer(id);
    servers.push(server);
    const proxy = await startMeshProxy({
      service: 'echo',
      serviceAccount: 'echo',
      config: '',
      appPort: server.port,
      identity: await ca.identity('shop', 'echo'),
    });
    proxies.push(proxy);
    endpoints.push({
      namespace: 'shop',
      service: 'echo',
      workload: 'echo',
      pod: id,
      address: '127.0.0.1',
      port: proxy.inbound,
      serviceAccount: 'echo',
    });
  }
  client = await startMeshProxy({
    service: 'web',
    serviceAccount: 'web',
    config: '',
    endpoints,
    identity: await ca.identity('shop', 'web'),
    args: ['--lb', 'round-robin'],
  });
});

afterAll(async () => {
  await Promise.all([client, ...proxies].map((p) => p?.stop()));
  await Promise.all(servers.map((s) => s.close()));
});

describe('gRPC through two proxies over mTLS (h2 between the proxies)', () => {
  it('carries a unary call and a server-streaming call with their trailers', async () => {
    const c = echoClient(client.outbound);
    try {
      const reply = await say(c, 'ada');
      expect(reply.message).toBe('hello ada');
      expect(['echo-a', 'echo-b', 'echo-c']).toContain(reply.server);
      const streamed = await count(c, 5);
      expect(streamed.map((r) => r.message)).toEqual(['#1', '#2', '#3', '#4', '#5']);
    } finally {
      c.close();
    }
    // grpc-status 0 came in the trailers: a success on the client's edge, labelled as gRPC.
    expect(
      await metric(client.admin, 'response_total', {
        direction: 'outbound',
        dst_service: 'echo',
        tls: 'true',
        classification: 'success',
        grpc_status: '0',
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('balances the calls of one client connection per request over all three endpoints', async () => {
    const before = servers.map((s) => s.calls);
    const c = echoClient(client.outbound);
    try {
      for (let i = 0; i < 30; i++) await say(c, `call-${i}`);
    } finally {
      c.close();
    }
    // Round-robin per request: one HTTP/2 connection from the app, ten calls on each server.
    expect(servers.map((s, i) => s.calls - (before[i] ?? 0))).toEqual([10, 10, 10]);
  });

  it('classifies grpc-status 14 (a trailers-only answer) as a failure and does not retry it', async () => {
    const before = servers.reduce((n, s) => n + s.calls, 0);
    const c = echoClient(client.outbound);
    let code: number | undefined;
    let details: string | undefined;
    try {
      await say(c, 'unavailable-please');
    } catch (err) {
      code = (err as grpc.ServiceError).code;
      details = (err as grpc.ServiceError).details;
    } finally {
      c.close();
    }
    expect({ code, details }).toEqual({ code: grpc.status.UNAVAILABLE, details: 'not today' });
    expect(servers.reduce((n, s) => n + s.calls, 0) - before).toBe(1);
    const failure = { classification: 'failure', grpc_status: '14', status_code: '200' };
    expect(
      await metric(client.admin, 'response_total', { direction: 'outbound', ...failure }),
    ).toBe(1);
    let inbound = 0;
    for (const p of proxies) {
      inbound += await metric(p.admin, 'response_total', { direction: 'inbound', ...failure });
    }
    expect(inbound).toBe(1);
  });
});

describe('gRPC in spans', () => {
  it('records rpc.grpc.status_code and marks a non-zero status as an error', async () => {
    const collector = await startCollector();
    const traced = await startMeshProxy({
      service: 'traced',
      serviceAccount: 'traced',
      config: '',
      endpoints,
      identity: await ca.identity('shop', 'traced'),
      traceCollectorUrl: collector.url,
    });
    const c = echoClient(traced.outbound);
    try {
      await say(c, 'ok');
      await expect(say(c, 'unavailable')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      const spans = await waitFor(
        () => (collector.spans.length >= 2 ? collector.spans : undefined),
        20_000,
        'two client spans',
      );
      const summary = spans
        .map((s) => ({ code: attr(s, 'rpc.grpc.status_code'), error: s.status.code === 2 }))
        .sort((a, b) => Number(a.code) - Number(b.code));
      expect(summary).toEqual([
        // OTLP JSON carries int64 as a string.
        { code: '0', error: false },
        { code: '14', error: true },
      ]);
    } finally {
      c.close();
      await traced.stop();
      await collector.close();
    }
  });
});

describe('gRPC between proxies without mTLS (HTTP/1.1 hop)', () => {
  it('still carries unary and streaming calls: chunked bodies and trailers are relayed', async () => {
    const server = await startEchoServer('plain');
    const inbound = await startMeshProxy({ service: 'echo', config: '', appPort: server.port });
    const outbound = await startMeshProxy({
      service: 'plainweb',
      config: '',
      endpoints: [
        {
          namespace: 'shop',
          service: 'echo',
          workload: 'echo',
          pod: 'echo-plain',
          address: '127.0.0.1',
          port: inbound.inbound,
        },
      ],
    });
    const c = echoClient(outbound.outbound);
    try {
      expect(await say(c, 'bob')).toEqual({ message: 'hello bob', server: 'plain' });
      expect((await count(c, 3)).map((r) => r.message)).toEqual(['#1', '#2', '#3']);
      await expect(say(c, 'unavailable')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      expect(
        await metric(outbound.admin, 'response_total', {
          direction: 'outbound',
          tls: 'no_identity',
          grpc_status: '14',
          classification: 'failure',
        }),
      ).toBe(1);
      // Nothing went as h2 between these proxies.
      expect(await metric(outbound.admin, 'meshlens_proxy_h2_sessions_total', {})).toBe(0);
    } finally {
      c.close();
      await outbound.stop();
      await inbound.stop();
      await server.close();
    }
  });
});
