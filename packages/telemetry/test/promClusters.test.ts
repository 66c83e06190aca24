import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedSource, createPrometheusSource, type EmbeddedSource } from '../src/index';
import { PromClient } from '../src/prometheus/promClient';
import { startExporter, type ExporterSpec } from './helpers/meshExporters';
import { startPrometheus, type RunningPrometheus } from './helpers/prometheusServer';
import type { TestServer } from './helpers/servers';

/*
 * One real Prometheus holding two clusters (a `k8s_cluster` target label, as an agent per cluster
 * would add): stat rows carry each workload's cluster, app and version, from the Prometheus
 * source (with `clusterLabel`) and from the embedded scraper reading the same targets.
 */

const IN = { direction: 'inbound', tls: 'true' };

function specs(): ExporterSpec[] {
  const target = (cluster: string, deployment: string, version: string) => ({
    namespace: 'shop',
    deployment,
    pod: `${deployment}-0`,
    app: 'reviews',
    version,
    k8s_cluster: cluster,
    cluster,
  });
  return [
    {
      dialect: 'linkerd',
      target: target('east', 'reviews-v1', 'v1'),
      flows: [{ labels: IN, success: 5, failure: 0 }],
    },
    {
      dialect: 'linkerd',
      target: target('west', 'reviews-v2', 'v2'),
      flows: [{ labels: IN, success: 2, failure: 0.1 }],
    },
  ];
}

describe('one Prometheus, two clusters', () => {
  const exporters: TestServer[] = [];
  let prom: RunningPrometheus | undefined;
  let embedded: EmbeddedSource | undefined;

  beforeAll(async () => {
    const all = specs();
    for (const s of all) exporters.push(await startExporter(s, Date.now()));
    const targets = all.map((s, i) => ({ url: `${exporters[i]?.url}/metrics`, labels: s.target }));
    prom = await startPrometheus(
      targets.map((t) => ({ address: new URL(t.url).host, labels: t.labels })),
    );
    embedded = createEmbeddedSource({ targets, scrapeIntervalMs: 1000 });
    await embedded.start();
    // wait until Prometheus has two samples of both targets (a rate needs two)
    const client = new PromClient({ url: prom.url });
    const deadline = Date.now() + 30_000;
    const ready = async () =>
      (await client.query('count(count_over_time(up[1m]) >= 2)', Date.now()))[0]?.value === 2;
    const scraped = async () =>
      ((await embedded?.stat({ kind: 'workload', window: '1m' }))?.rows.length ?? 0) === 2;
    while (!(await ready()) || !(await scraped())) {
      if (Date.now() > deadline)
        throw new Error('prometheus or embedded did not scrape both exporters');
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 60_000);

  afterAll(async () => {
    await embedded?.stop();
    await prom?.stop();
    await Promise.all(exporters.map((e) => e.close()));
  });

  it('the prometheus source names each workload cluster from the configured label', async () => {
    const source = createPrometheusSource({
      url: prom?.url ?? '',
      dialect: 'linkerd',
      clusterLabel: 'k8s_cluster',
    });
    const { rows } = await source.stat({ kind: 'workload', window: '1m' });
    expect(rows.map((r) => [r.name, r.app, r.version, r.cluster])).toEqual([
      ['reviews-v1', 'reviews', 'v1', 'east'],
      ['reviews-v2', 'reviews', 'v2', 'west'],
    ]);
  });

  it('without a configured label it reads `cluster`, and so does the embedded scraper', async () => {
    const source = createPrometheusSource({ url: prom?.url ?? '', dialect: 'linkerd' });
    const fromProm = (await source.stat({ kind: 'workload', window: '1m' })).rows;
    const fromEmbedded = (await embedded?.stat({ kind: 'workload', window: '1m' }))?.rows ?? [];
    const labels = (rows: typeof fromProm) => rows.map((r) => [r.name, r.version, r.cluster]);
    expect(labels(fromProm)).toEqual([
      ['reviews-v1', 'v1', 'east'],
      ['reviews-v2', 'v2', 'west'],
    ]);
    expect(labels(fromEmbedded)).toEqual(labels(fromProm));
  });
});
