import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedSource, type EmbeddedSource } from '../src/index';
import { serve, unusedPort, type TestServer } from './helpers/servers';

function good(n: number): string {
  return [
    '# TYPE response_total counter',
    `response_total{direction="inbound",classification="success",status_code="200",tls="true"} ${n}`,
    '',
  ].join('\n');
}

// Inline and in worker threads (which fetch as well as parse): the same reasons, word for word.
describe.each([
  ['parsed inline', 0],
  ['fetched and parsed in worker threads', 2],
])('bad targets are marked down with the reason and affect nothing else (%s)', (_how, workers) => {
  const servers: TestServer[] = [];
  let source: EmbeddedSource;
  let hits = 0;
  const pending: (() => void)[] = [];

  beforeAll(async () => {
    const goodServer = await serve((req, res) => {
      hits++;
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      if (/gzip/.test(req.headers['accept-encoding'] ?? '')) {
        res.setHeader('content-encoding', 'gzip');
        res.end(zlib.gzipSync(good(100 * hits)));
      } else res.end(good(100 * hits));
    });
    const malformed = await serve((_req, res) =>
      res.end('response_total{direction="inbound" 12\n'),
    );
    const oversized = await serve((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      // 2 KB per chunk, streamed without a content-length, far past the 64 KB cap
      const line = `# ${'x'.repeat(2046)}\n`;
      let sent = 0;
      const write = (): void => {
        while (sent < 1000 && res.write(line)) sent++;
        if (sent < 1000) res.once('drain', write);
        else res.end();
      };
      write();
    });
    const slow = await serve((_req, res) => {
      // answers only when the test ends: the scrape must time out first
      pending.push(() => res.end(good(1)));
    });
    const erroring = await serve((_req, res) => {
      res.statusCode = 503;
      res.end('no');
    });
    servers.push(goodServer, malformed, oversized, slow, erroring);
    const deadPort = await unusedPort();
    const labels = (pod: string) => ({ namespace: 'shop', deployment: pod, pod: `${pod}-0` });
    source = createEmbeddedSource({
      workers,
      scrapeIntervalMs: 1000,
      scrapeTimeoutMs: 500,
      maxBodyBytes: 64 * 1024,
      targets: [
        { url: `${goodServer.url}/metrics`, labels: labels('good') },
        { url: `${malformed.url}/metrics`, labels: labels('malformed') },
        { url: `${oversized.url}/metrics`, labels: labels('oversized') },
        { url: `${slow.url}/metrics`, labels: labels('slow') },
        { url: `${erroring.url}/metrics`, labels: labels('erroring') },
        { url: `http://127.0.0.1:${deadPort}/metrics`, labels: labels('unreachable') },
      ],
    });
  });

  afterAll(async () => {
    for (const p of pending) p();
    await source.stop();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('reports each failure and keeps scraping the good target', async () => {
    await source.scrapeNow();
    await source.scrapeNow();
    const { targets } = await source.targets();
    const byName = Object.fromEntries(targets.map((t) => [t.labels.deployment ?? '', t] as const));
    expect(byName.good).toMatchObject({
      health: 'up',
      lastError: null,
      series: 1,
      dialect: 'linkerd',
    });
    expect(byName.malformed?.health).toBe('down');
    expect(byName.malformed?.lastError).toMatch(/^parse error: line 1, column \d+/);
    expect(byName.oversized).toMatchObject({
      health: 'down',
      lastError: 'body exceeds the limit of 65536 bytes',
    });
    expect(byName.slow).toMatchObject({ health: 'down', lastError: 'timeout after 500 ms' });
    expect(byName.erroring).toMatchObject({ health: 'down', lastError: 'HTTP status 503' });
    expect(byName.unreachable).toMatchObject({ health: 'down', lastError: 'connection refused' });
    expect(source.status()).toMatchObject({
      kind: 'embedded',
      healthy: true,
      targets: { up: 1, down: 5, total: 6 },
    });
    const rows = (await source.stat({ kind: 'workload', window: '1m' })).rows;
    expect(rows.map((r) => r.name)).toEqual(['good']);
    expect(rows[0]?.requests.success).toBeGreaterThan(0);
  });
});
