import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusSource, type PrometheusSource } from '../src/index';
import { PromClient } from '../src/prometheus/promClient';
import { type AuthProxy, startAuthProxy } from './helpers/authProxy';
import { startExporter, type ExporterSpec } from './helpers/meshExporters';
import { startPrometheus, type RunningPrometheus } from './helpers/prometheusServer';
import type { TestServer } from './helpers/servers';
import { createTestPki, type TestPki } from './helpers/testCa';

/*
 * Prometheus as clusters run it: a real Prometheus behind a reverse proxy that serves TLS from a
 * private CA (client certificate required), demands a bearer token and X-Scope-OrgID, sits under
 * /prometheus like Mimir, and answers 404 for /api/v1/status/*, /api/v1/metadata and
 * /api/v1/targets. The golden signals through it must equal those read directly.
 */

const TOKEN = 'tok-3f9a';
const TENANT = 'tenant-1';
const WINDOW_MS = 10_000;

const IN = { direction: 'inbound', tls: 'true' };
const OUT = {
  direction: 'outbound',
  tls: 'true',
  dst_namespace: 'shop',
  dst_deployment: 'api',
  dst_service: 'api',
};
const istioFlow = {
  source_workload: 'productpage-v1',
  source_workload_namespace: 'books',
  destination_workload: 'reviews-v1',
  destination_workload_namespace: 'books',
  destination_service_name: 'reviews',
  destination_service_namespace: 'books',
  connection_security_policy: 'mutual_tls',
};

async function waitScraped(client: PromClient, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await client.query('count(up == 1)', Date.now()))[0]?.value !== n) {
    if (Date.now() > deadline) throw new Error('prometheus did not scrape every exporter in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Rig {
  exporters: TestServer[];
  prom?: RunningPrometheus;
  proxy?: AuthProxy;
  pki: TestPki;
  secrets: string;
}

async function startRig(specs: ExporterSpec[]): Promise<Rig> {
  const rig: Rig = {
    exporters: [],
    pki: createTestPki(),
    secrets: mkdtempSync(path.join(os.tmpdir(), 'meshlens-secrets-')),
  };
  writeFileSync(path.join(rig.secrets, 'token'), `${TOKEN}\n`);
  writeFileSync(path.join(rig.secrets, 'wrong'), 'nope\n');
  const t0 = Date.now();
  for (const s of specs) rig.exporters.push(await startExporter(s, t0));
  rig.prom = await startPrometheus(
    specs.map((s, i) => ({ address: new URL(rig.exporters[i]?.url ?? '').host, labels: s.target })),
  );
  rig.proxy = await startAuthProxy(rig.prom.url, rig.pki, { token: TOKEN, tenant: TENANT });
  await waitScraped(new PromClient({ url: rig.prom.url }), specs.length);
  return rig;
}

async function stopRig(rig: Rig | undefined): Promise<void> {
  if (!rig) return;
  await rig.proxy?.close();
  await rig.prom?.stop();
  await Promise.all(rig.exporters.map((e) => e.close()));
  rig.pki.remove();
  rmSync(rig.secrets, { recursive: true, force: true });
}

function behindProxy(rig: Rig, over: Partial<Parameters<typeof createPrometheusSource>[0]> = {}) {
  return createPrometheusSource({
    url: rig.proxy?.url ?? '',
    tenant: TENANT,
    bearerTokenFile: path.join(rig.secrets, 'token'),
    tls: { caFile: rig.pki.caFile, certFile: rig.pki.clientCert, keyFile: rig.pki.clientKey },
    ...over,
  });
}

describe('prometheus source behind TLS, bearer token and tenant header', () => {
  let rig: Rig | undefined;
  let from = 0;
  let to = 0;

  beforeAll(async () => {
    rig = await startRig([
      {
        dialect: 'linkerd',
        target: { namespace: 'shop', deployment: 'web', pod: 'web-1' },
        flows: [
          { labels: IN, success: 10, failure: 0.5 },
          { labels: OUT, success: 6, failure: 0.2 },
        ],
      },
      {
        dialect: 'linkerd',
        target: { namespace: 'shop', deployment: 'api', pod: 'api-1' },
        flows: [{ labels: IN, success: 9, failure: 0.3 }],
      },
    ]);
    from = Date.now() + 1000;
    to = from + WINDOW_MS;
    while (Date.now() < to + 1500) await new Promise((r) => setTimeout(r, 200));
  }, 90_000);

  afterAll(() => stopRig(rig));

  it('gives the same golden signals, edges and series as the direct connection', async () => {
    const direct = createPrometheusSource({ url: rig?.prom?.url ?? '', dialect: 'linkerd' });
    const proxied = behindProxy(rig as Rig, { dialect: 'linkerd' });
    const q = { kind: 'workload' as const, from, to };
    const [a, b] = [await direct.stat(q), await proxied.stat(q)];
    expect(b.rows.map((r) => r.name).sort()).toEqual(['api', 'web']);
    expect(b.rows).toEqual(a.rows);
    // and they are the raw PromQL numbers: web serves 10.5 rps inbound
    const web = b.rows.find((r) => r.name === 'web');
    const raw = await new PromClient({ url: rig?.prom?.url ?? '' }).query(
      `sum(rate(response_total{direction="inbound",deployment="web"}[${to - from}ms]))`,
      to,
    );
    expect(web?.rps).toBeCloseTo(raw[0]?.value ?? Number.NaN, 9);
    expect(Math.abs((web?.rps ?? 0) - 10.5) / 10.5).toBeLessThan(0.02);
    expect((await proxied.edges(q)).edges).toEqual((await direct.edges(q)).edges);
    const ts = { ...q, namespace: 'shop', name: 'web', step: 5000 };
    expect((await proxied.timeseries(ts)).points).toEqual((await direct.timeseries(ts)).points);
    const h = { ...q, namespace: 'shop', name: 'web' };
    expect((await proxied.histogram(h)).buckets).toEqual((await direct.histogram(h)).buckets);
  });

  it('probes the dialect, lists targets from `up` and never asks for status or metadata', async () => {
    const proxied: PrometheusSource = behindProxy(rig as Rig);
    await proxied.start();
    try {
      expect(proxied.status()).toMatchObject({ healthy: true, lastError: null });
      expect((await proxied.detectDialect()).name).toBe('linkerd');
      for (let i = 0; i < 2; i++) {
        const { targets } = await proxied.targets();
        expect(targets.map((t) => [t.labels.deployment, t.health]).sort()).toEqual([
          ['api', 'up'],
          ['web', 'up'],
        ]);
      }
      const d = await proxied.diagnose();
      expect(d.dialect).toBe('linkerd');
      expect(d.families.find((f) => f.family === 'response_total')).toMatchObject({
        labelsMissing: [],
      });
      expect(d.hints).toEqual([]);
    } finally {
      await proxied.stop();
    }
    const asked = rig?.proxy?.paths ?? [];
    // tried once, then `up` only
    expect(asked.filter((p) => p === '/api/v1/targets')).toEqual(['/api/v1/targets']);
    expect(asked.filter((p) => /status|metadata/.test(p))).toEqual([]);
  });

  it('names the backend and the failure: wrong token, no tenant, unknown CA', async () => {
    const r = rig as Rig;
    const base = r.proxy?.url ?? '';
    const wrong = behindProxy(r, {
      bearerTokenFile: path.join(r.secrets, 'wrong'),
      dialect: 'linkerd',
    });
    await expect(wrong.namespaces()).rejects.toThrow(`prometheus at ${base}: 401 Unauthorized`);
    const noTenant = behindProxy(r, { tenant: undefined, dialect: 'linkerd' });
    await expect(noTenant.namespaces()).rejects.toThrow(
      `prometheus at ${base}: 401 Unauthorized: no org id`,
    );
    const otherCa = behindProxy(r, {
      tls: { caFile: r.pki.otherCaFile, certFile: r.pki.clientCert, keyFile: r.pki.clientKey },
      dialect: 'linkerd',
    });
    await expect(otherCa.namespaces()).rejects.toThrow(`prometheus at ${base}: TLS error (`);
  });
});

describe('prometheus scraping pods without the expected labels', () => {
  let rig: Rig | undefined;

  beforeAll(async () => {
    rig = await startRig([
      // no deployment/pod target labels (a scrape config without Kubernetes relabeling)
      {
        dialect: 'linkerd',
        target: { namespace: 'shop' },
        flows: [
          { labels: IN, success: 5, failure: 0 },
          { labels: OUT, success: 5, failure: 0 },
        ],
      },
      // Istio series whose reporter label was dropped
      {
        dialect: 'istio',
        target: { namespace: 'books' },
        flows: [{ labels: { ...istioFlow, response_flags: '-' }, success: 2, failure: 0 }],
      },
    ]);
  }, 90_000);

  afterAll(() => stopRig(rig));

  it('shows which labels are missing instead of an empty graph', async () => {
    const source = behindProxy(rig as Rig, { dialect: 'linkerd' });
    // the dashboard would be empty...
    expect((await source.stat({ kind: 'workload', window: '1m' })).rows).toEqual([]);
    // ...and the diagnosis says why
    const d = await source.diagnose();
    const byName = new Map(d.families.map((f) => [f.family, f]));
    expect(byName.get('response_total')).toMatchObject({
      dialect: 'linkerd',
      labelsMissing: ['deployment', 'pod'],
      labelsFound: [
        'direction',
        'classification',
        'namespace',
        'dst_namespace',
        'dst_deployment',
        'dst_service',
        'tls',
      ],
    });
    expect(byName.get('response_total')?.series).toBeGreaterThan(0);
    expect(byName.get('istio_requests_total')?.labelsMissing).toEqual(['reporter']);
    expect(byName.get('tcp_read_bytes_total')?.series).toBe(0);
    expect(
      d.hints.some((h) => h.startsWith('response_total has no `deployment`, `pod` label')),
    ).toBe(true);
    expect(d.hints.some((h) => h.startsWith('istio_requests_total has no `reporter` label'))).toBe(
      true,
    );
    expect(d.hints.some((h) => h.startsWith('The workload query'))).toBe(true);
    expect(d.queries[0]).toBe(
      'count by (__name__) ({__name__=~"response_total|response_latency_ms_bucket|tcp_read_bytes_total|istio_requests_total|istio_request_duration_milliseconds_bucket|istio_tcp_received_bytes_total"})',
    );
  });
});
