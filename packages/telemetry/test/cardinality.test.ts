import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedSource, type EmbeddedSource } from '../src/index';
import { serve, type TestServer } from './helpers/servers';

/**
 * The cardinality guard: a target whose exposition explodes (200k series, or a label with a new
 * value every scrape) is capped on its own, with the reason on its target, and the rest of the
 * mesh keeps its exact numbers. Parsing runs in a worker thread, as in the BFF.
 */
const inbound = (n: number) =>
  `response_total{direction="inbound",classification="success",status_code="200",tls="true"} ${n}`;

describe('per-target cardinality caps', () => {
  const servers: TestServer[] = [];
  let source: EmbeddedSource;
  let hits = 0;
  let churnScrapes = 0;

  beforeAll(async () => {
    const good = await serve((_req, res) => {
      hits++;
      res.end(`# TYPE response_total counter\n${inbound(100 * hits)}\n`);
    });
    // 200,000 series of a counter, as an exporter with an id in a label would expose
    const lines = ['# TYPE exploded_total counter'];
    for (let i = 0; i < 200_000; i++) lines.push(`exploded_total{id="${i}"} 1`);
    const body = `${lines.join('\n')}\n`;
    const exploded = await serve((_req, res) => res.end(body));
    // a call to a new destination name on every scrape (a job id in dst_deployment)
    const churn = await serve((_req, res) => {
      churnScrapes++;
      const out = ['# TYPE response_total counter', inbound(10 * churnScrapes)];
      for (let i = 1; i <= churnScrapes; i++) {
        out.push(
          `response_total{direction="outbound",dst_namespace="shop",dst_deployment="job-${i}",classification="success",status_code="200",tls="true"} ${i}`,
        );
      }
      res.end(`${out.join('\n')}\n`);
    });
    servers.push(good, exploded, churn);
    const labels = (name: string) => ({ namespace: 'shop', deployment: name, pod: `${name}-0` });
    source = createEmbeddedSource({
      scrapeIntervalMs: 1000,
      workers: 1,
      maxAggregatesPerTarget: 6,
      targets: [
        { url: `${good.url}/metrics`, labels: labels('web') },
        { url: `${exploded.url}/metrics`, labels: labels('exploded') },
        { url: `${churn.url}/metrics`, labels: labels('batch') },
      ],
    });
    for (let i = 0; i < 8; i++) await source.scrapeNow();
  }, 60_000);

  afterAll(async () => {
    await source.stop();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('caps a 200k-series target with the reason, without parsing it', async () => {
    const t = (await source.targets()).targets.find((x) => x.labels.deployment === 'exploded');
    const reason =
      'series limit: 200,000 series, more than the 50,000 allowed per target; scrape dropped';
    expect(t).toMatchObject({ health: 'down', series: 200_000, capped: reason, lastError: reason });
  });

  it('caps a target whose label gets a new value every scrape, keeping what fits', async () => {
    const t = (await source.targets()).targets.find((x) => x.labels.deployment === 'batch');
    expect(t?.health).toBe('up');
    expect(t?.capped).toMatch(
      /^resource limit: this target reports more than 6 resources and edges \(a label with a new value every scrape\?\); \d+ new ones dropped, e\.g\. edge shop\/batch -> workload shop\/job-\d+$/,
    );
    // workload + pod + the first 4 edges fit under the cap of 6; later job names are dropped
    const edges = source.store.list('edge').filter((a) => a.resource.name === 'batch');
    expect(edges.map((a) => a.destination?.name).sort()).toEqual([
      'job-1',
      'job-2',
      'job-3',
      'job-4',
    ]);
    const stat = await source.stat({ kind: 'workload', from: 0, to: Date.now() });
    expect(stat.rows.find((r) => r.name === 'batch')?.requests.success).toBeGreaterThan(0);
  });

  it('leaves the rest of the mesh exact', async () => {
    const targets = (await source.targets()).targets;
    const web = targets.find((x) => x.labels.deployment === 'web');
    expect(web).toMatchObject({ health: 'up', capped: null, lastError: null, series: 1 });
    // 8 scrapes of +100 between the first and the last round: 7 increments of 100
    const { store } = source;
    const range = { from: store.timeOf(0), to: store.timeOf(store.roundCount - 1) };
    const rows = (await source.stat({ kind: 'workload', ...range })).rows;
    const row = rows.find((r) => r.name === 'web');
    expect(row?.requests).toEqual({ success: 700, failure: 0 });
    expect(rows.map((r) => r.name).sort()).toEqual(['batch', 'web']);
  });
});
