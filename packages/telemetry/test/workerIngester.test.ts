import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchScrape } from '../src/scrape/fetchScrape';
import { createWorkerIngester } from '../src/scrape/workerPool';

const labels = { namespace: 'shop', deployment: 'web', pod: 'web-1' };
const text = (n: number) =>
  `# TYPE response_total counter\nresponse_total{direction="inbound",classification="success"} ${n}\n`;

describe('worker-thread ingester', () => {
  const ingester = createWorkerIngester(2);
  afterAll(() => ingester.close());

  it('parses and folds off the main thread, keeping per-target counter state', async () => {
    const first = await ingester.ingest('t1', labels, Buffer.from(text(10)), undefined);
    expect(first.records.find((r) => r.view === 'workload')?.deltas[0]).toBe(0);
    const second = await ingester.ingest('t1', labels, text(25), undefined);
    expect(second.records.find((r) => r.view === 'workload')?.deltas[0]).toBe(15);
    ingester.forget('t1');
    const third = await ingester.ingest('t1', labels, text(40), undefined);
    expect(third.records.find((r) => r.view === 'workload')?.deltas[0]).toBe(0);
  });

  it('rejects a malformed body with the parser message', async () => {
    await expect(ingester.ingest('t2', labels, 'response_total{ 1\n', undefined)).rejects.toThrow(
      /line 1, column/,
    );
  });

  it('moves a fetched body to the worker without a copy, however it was sent', async () => {
    // 200 series, ~16 KB: past Buffer's pool, as real scrapes are
    const lines = Array.from(
      { length: 200 },
      (_, i) => `response_total{direction="inbound",classification="success",status_code="${i}"} 7`,
    );
    const body = `# TYPE response_total counter\n${lines.join('\n')}\n`;
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      if (req.url === '/length') {
        res.setHeader('content-length', Buffer.byteLength(body));
        res.end(body);
      } else if (req.url === '/chunked') {
        res.write(body.slice(0, 5000));
        res.end(body.slice(5000));
      } else {
        res.setHeader('content-encoding', 'gzip');
        res.end(zlib.gzipSync(body));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      for (const path of ['/length', '/chunked', '/gzip']) {
        const fetched = await fetchScrape(`http://127.0.0.1:${port}${path}`, {
          timeoutMs: 10_000,
          maxBytes: 1 << 20,
        });
        expect(fetched.body.toString('utf8')).toBe(body);
        const result = await ingester.ingest(`t-${path}`, labels, fetched.body, undefined);
        expect(result.series).toBe(200);
        // transferred: the main thread's view of it is detached, nothing was copied
        expect(fetched.body.byteLength).toBe(0);
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
