import { afterAll, describe, expect, it } from 'vitest';
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
});
