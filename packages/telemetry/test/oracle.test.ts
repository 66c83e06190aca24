import { histogramQuantile } from '@meshlens/prom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedSource, createPrometheusSource, type EmbeddedSource } from '../src/index';
import { PromClient } from '../src/prometheus/promClient';
import { startExporter, type ExporterSpec } from './helpers/meshExporters';
import { startPrometheus, type RunningPrometheus } from './helpers/prometheusServer';
import type { TestServer } from './helpers/servers';

/*
 * The oracle: a real Prometheus and our embedded scraper read the same exporters (both dialects,
 * several workloads and edges, one proxy restarting mid-window); rps and success rate from the
 * embedded source, the prometheus source and raw PromQL agree within 1 %, and latency quantiles
 * agree exactly over the same bucket counts.
 */

const OUT = { direction: 'outbound' };
const IN = { direction: 'inbound' };
const api = { dst_namespace: 'shop', dst_deployment: 'api', dst_service: 'api' };
const istioFlow = {
  source_workload: 'productpage-v1',
  source_workload_namespace: 'books',
  destination_workload: 'reviews-v1',
  destination_workload_namespace: 'books',
  destination_service_name: 'reviews',
  destination_service_namespace: 'books',
};

/** 20 s of 1 s scrapes: long enough that edge extrapolation differences stay well under 1 %. */
const WINDOW_MS = 20_000;

function specs(): ExporterSpec[] {
  const shop = (deployment: string, pod: string) => ({ namespace: 'shop', deployment, pod });
  return [
    {
      dialect: 'linkerd',
      target: shop('web', 'web-1'),
      flows: [
        { labels: { ...IN, tls: 'true' }, success: 10, failure: 0.5 },
        { labels: { ...OUT, ...api, tls: 'true' }, success: 6, failure: 0.2 },
      ],
    },
    {
      dialect: 'linkerd',
      target: shop('web', 'web-2'),
      flows: [
        { labels: { ...IN, tls: 'true' }, success: 4, failure: 0.1 },
        { labels: { ...OUT, ...api, tls: 'true' }, success: 3, failure: 0 },
      ],
    },
    {
      dialect: 'linkerd',
      target: shop('api', 'api-1'),
      flows: [{ labels: { ...IN, tls: 'true' }, success: 9, failure: 0.3 }],
    },
    {
      dialect: 'istio',
      target: { namespace: 'books', pod: 'productpage-v1-1' },
      flows: [
        {
          labels: { reporter: 'source', ...istioFlow, connection_security_policy: 'unknown' },
          success: 8,
          failure: 0.4,
        },
      ],
    },
    {
      dialect: 'istio',
      target: { namespace: 'books', pod: 'reviews-v1-1' },
      flows: [
        {
          labels: {
            reporter: 'destination',
            ...istioFlow,
            connection_security_policy: 'mutual_tls',
          },
          success: 8,
          failure: 0.4,
        },
      ],
    },
  ];
}

function expectWithin(actual: number | null | undefined, expected: number, relative: number): void {
  expect(actual).not.toBeNull();
  expect(actual).toBeDefined();
  const a = actual ?? Number.NaN;
  expect(Math.abs(a - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative);
}

describe('oracle: embedded and prometheus sources agree with a real Prometheus', () => {
  const exporters: TestServer[] = [];
  let prom: RunningPrometheus | undefined;
  let embedded: EmbeddedSource | undefined;
  let from = 0;
  let to = 0;
  const t0 = Date.now();

  beforeAll(async () => {
    const all = specs();
    for (const s of all) exporters.push(await startExporter(s, t0));
    const targets = all.map((s, i) => ({ url: `${exporters[i]?.url}/metrics`, labels: s.target }));
    prom = await startPrometheus(
      targets.map((t) => ({ address: new URL(t.url).host, labels: t.labels })),
    );
    embedded = createEmbeddedSource({ targets, scrapeIntervalMs: 1000 });
    await embedded.start();
    // Prometheus applies its first target list up to 5 s after start: wait until it has scraped
    // every exporter, then give both scrapers 2 s before the window [from, to], and 1.5 s after
    // it so Prometheus has a sample past `to`.
    const client = new PromClient({ url: prom.url });
    const deadline = Date.now() + 20_000;
    while ((await client.query('count(up == 1)', Date.now()))[0]?.value !== all.length) {
      if (Date.now() > deadline)
        throw new Error('prometheus did not scrape every exporter in time');
      await new Promise((r) => setTimeout(r, 200));
    }
    from = Date.now() + 2000;
    to = from + WINDOW_MS;
    // restart the api proxy in the middle of the window, far from its edges (see counter())
    const api = all.find((s) => s.target.deployment === 'api');
    if (api) api.resetAtMs = from + WINDOW_MS / 2;
    while (Date.now() < to + 1500) await new Promise((r) => setTimeout(r, 200));
  }, 50_000);

  afterAll(async () => {
    await embedded?.stop();
    await prom?.stop();
    await Promise.all(exporters.map((e) => e.close()));
  });

  it('rps, success rate and p50/p95/p99 of workloads agree', async () => {
    const client = new PromClient({ url: prom?.url ?? '' });
    const range = `[${to - from}ms]`;
    const raw = async (q: string) => (await client.query(q, to))[0]?.value ?? Number.NaN;
    const cases = [
      {
        ns: 'shop',
        name: 'web',
        dialect: 'linkerd' as const,
        req: 'response_total',
        sel: 'direction="inbound",namespace="shop",deployment="web"',
        bucket: 'response_latency_ms_bucket',
      },
      {
        ns: 'shop',
        name: 'api',
        dialect: 'linkerd' as const,
        req: 'response_total',
        sel: 'direction="inbound",namespace="shop",deployment="api"',
        bucket: 'response_latency_ms_bucket',
      },
      {
        ns: 'books',
        name: 'reviews-v1',
        dialect: 'istio' as const,
        req: 'istio_requests_total',
        sel: 'reporter="destination",destination_workload_namespace="books",destination_workload="reviews-v1"',
        bucket: 'istio_request_duration_milliseconds_bucket',
      },
    ];
    for (const c of cases) {
      const promSource = createPrometheusSource({ url: prom?.url ?? '', dialect: c.dialect });
      const q = { kind: 'workload' as const, namespace: c.ns, name: c.name, from, to };
      const mine = (await embedded?.stat(q))?.rows[0];
      const viaProm = (await promSource.stat(q)).rows[0];
      const rps = await raw(`sum(rate(${c.req}{${c.sel}}${range}))`);
      const failure = c.dialect === 'linkerd' ? 'classification="failure"' : 'response_code=~"5.."';
      const failing = await raw(`sum(rate(${c.req}{${c.sel},${failure}}${range}))`);
      expect(rps).toBeGreaterThan(0);
      for (const got of [mine, viaProm]) {
        expectWithin(got?.rps, rps, 0.01);
        expectWithin(got?.successRate, 1 - failing / rps, 0.01);
      }
      for (const [p, key] of [
        [0.5, 'p50'],
        [0.95, 'p95'],
        [0.99, 'p99'],
      ] as const) {
        const quantile = await raw(
          `histogram_quantile(${p}, sum by (le) (rate(${c.bucket}{${c.sel}}${range})))`,
        );
        // every series grows its buckets in the same proportions: the interpolation must match exactly
        expectWithin(mine?.latencyMs[key], quantile, 1e-9);
        expectWithin(viaProm?.latencyMs[key], quantile, 1e-9);
      }
    }
  });

  it('time series from both sources follow the same steady rate', async () => {
    const q = { kind: 'workload' as const, namespace: 'shop', name: 'web', from, to, step: 5000 };
    const viaProm = createPrometheusSource({
      url: prom?.url ?? '',
      dialect: 'linkerd',
      minRateWindowMs: 5000,
    });
    const series = [await embedded?.timeseries(q), await viaProm.timeseries(q)];
    for (const s of series) {
      expect(s?.step).toBe(5000);
      const last = s?.points[s.points.length - 1];
      expect(last?.t).toBe(to);
      // web serves 14.6 rps steadily, 0.6 of it failing
      expectWithin(last?.rps, 14.6, 0.02);
      expectWithin(last?.successRate, 14 / 14.6, 0.01);
    }
  });

  it('histogram_quantile over the same bucket counts is identical to Prometheus', async () => {
    const client = new PromClient({ url: prom?.url ?? '' });
    const rates = await client.query(
      `sum by (le) (rate(response_latency_ms_bucket{direction="inbound",deployment="web"}[${to - from}ms]))`,
      to,
    );
    const buckets = rates
      .map((s) => ({
        le: s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le),
        count: s.value,
      }))
      .sort((a, b) => a.le - b.le);
    for (const p of [0.5, 0.95, 0.99]) {
      const [theirs] = await client.query(
        `histogram_quantile(${p}, sum by (le) (rate(response_latency_ms_bucket{direction="inbound",deployment="web"}[${to - from}ms])))`,
        to,
      );
      expect(histogramQuantile(p, buckets)).toBe(theirs?.value);
    }
  });

  it('edges agree (Linkerd outbound by dst_*, Istio reporter=source), counter reset included', async () => {
    const url = prom?.url ?? '';
    const edgesOf = async (dialect: 'linkerd' | 'istio') =>
      (await createPrometheusSource({ url, dialect }).edges({ kind: 'workload', from, to })).edges;
    const linkerdEdges = await edgesOf('linkerd');
    const istioEdges = await edgesOf('istio');
    const mine = (await embedded?.edges({ kind: 'workload', from, to }))?.edges ?? [];
    const key = (e: { source: { name: string }; destination: { name: string } }) =>
      `${e.source.name}->${e.destination.name}`;
    expect(mine.map(key)).toEqual(['productpage-v1->reviews-v1', 'web->api']);
    for (const e of [...linkerdEdges, ...istioEdges]) {
      const m = mine.find((x) => key(x) === key(e));
      expect(m).toBeDefined();
      expectWithin(m?.rps, e.rps, 0.01);
      expectWithin(m?.successRate, e.successRate ?? Number.NaN, 0.01);
      expectWithin(m?.latencyMs.p99, e.latencyMs.p99 ?? Number.NaN, 1e-9);
    }
    expect(linkerdEdges.map(key)).toEqual(['web->api']);
    expect(linkerdEdges[0]?.mtls).toBe('mtls');
    // the restarted api proxy: both see ~9.3 rps over the window minus the 1.2 s it was silent
    const apiRow = (
      await embedded?.stat({ kind: 'workload', namespace: 'shop', name: 'api', from, to })
    )?.rows[0];
    expectWithin(apiRow?.rps, 9.3 * (1 - 1200 / WINDOW_MS), 0.02);
  });

  it('replay bounds: both sources report a history that covers the measured window', async () => {
    const viaProm = await createPrometheusSource({
      url: prom?.url ?? '',
      dialect: 'linkerd',
    }).history();
    // The embedded store's newest round is a scrape round's start: on a loaded machine the round
    // after `to` can start late, so wait for it (with a deadline) instead of assuming it ran.
    const deadline = Date.now() + 15_000;
    let mine = await embedded?.history();
    while ((mine?.latestMs ?? 0) < to && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      mine = await embedded?.history();
    }
    for (const h of [viaProm, mine]) {
      expect(h?.earliestMs).toBeTypeOf('number');
      expect(h?.earliestMs).toBeGreaterThanOrEqual(t0 - 1000);
      expect(h?.earliestMs).toBeLessThanOrEqual(from);
      expect(h?.latestMs).toBeGreaterThanOrEqual(to);
    }
    expect(mine?.stepMs).toBe(1000);
  });
});
