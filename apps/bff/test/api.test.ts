import {
  edgesResponseSchema,
  errorResponseSchema,
  histogramResponseSchema,
  historyResponseSchema,
  routesResponseSchema,
  namespacesResponseSchema,
  statResponseSchema,
  statusResponseSchema,
  targetsResponseSchema,
  timeseriesResponseSchema,
  topologyResponseSchema,
  traceResponseSchema,
} from '@meshlens/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createFixtureSource, type FixtureSource } from '../src/fixture/fixtureSource';
import { HOSTILE_WORKLOAD } from '../src/fixture/mesh';
import { FIXED_NOW, type Running, getJson, startBff } from './helpers';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(
  fixture: FixtureSource = createFixtureSource({ now: () => FIXED_NOW, tickIntervalMs: 0 }),
) {
  running = await startBff({
    source: fixture,
    seedSpans: fixture.seedSpans(),
    now: () => FIXED_NOW,
  });
  return { url: running.url, fixture };
}

describe('API over the fixture source', () => {
  it('serves the routes of a service, and says what is wrong with a bad query', async () => {
    const { url } = await start();
    const { status, body } = await getJson(
      `${url}/api/v1/routes?namespace=shop&name=web&window=1m`,
    );
    expect(status).toBe(200);
    const r = routesResponseSchema.parse(body);
    const stat = statResponseSchema.parse(
      (await getJson(`${url}/api/v1/stat?kind=service&namespace=shop&name=web&window=1m`)).body,
    );
    // the fixture has no HTTPRoutes: all of web's traffic is on the default route
    expect(r.routes.map((x) => [x.route, x.rule, x.rps])).toEqual([
      ['default', '', stat.rows[0]?.rps],
    ]);
    const missing = await getJson(`${url}/api/v1/routes?namespace=shop`);
    expect(missing.status).toBe(400);
    expect(errorResponseSchema.parse(missing.body).error.message).toBe(
      'parameter name: is required',
    );
    expect((await getJson(`${url}/api/v1/routes?namespace=shop&name=nope`)).status).toBe(404);
  });

  it('tells the replay slider how far back it can go', async () => {
    const { url } = await start();
    const { status, body } = await getJson(`${url}/api/v1/history`);
    expect(status).toBe(200);
    expect(historyResponseSchema.parse(body)).toEqual({
      generatedAt: FIXED_NOW,
      earliestMs: FIXED_NOW - 6 * 3_600_000,
      latestMs: FIXED_NOW,
      stepMs: 5000,
    });
  });

  it('returns stat rows for every workload, parseable by the contract', async () => {
    const { url } = await start();
    const { status, body } = await getJson(`${url}/api/v1/stat?kind=workload&window=1m`);
    expect(status).toBe(200);
    const stat = statResponseSchema.parse(body);
    expect(stat.window).toEqual({ from: FIXED_NOW - 60_000, to: FIXED_NOW });
    expect(stat.rows.map((r) => `${r.namespace}/${r.name}`)).toEqual([
      'shop/web',
      'shop/catalog',
      'shop/cart',
      'shop/checkout',
      'payments/payments',
      'payments/fraud',
      'platform/auth',
      'platform/postgres',
    ]);
    const payments = stat.rows.find((r) => r.name === 'payments');
    expect(payments?.successRate).toBeLessThan(0.9);
    const postgres = stat.rows.find((r) => r.name === 'postgres');
    expect(postgres?.meshed).toEqual({ ready: 0, total: 1 });
    const checkout = stat.rows.find((r) => r.name === 'checkout');
    expect(checkout?.latencyMs.p99).toBeGreaterThan(1000);
  });

  it('gives the same numbers for the same clock (deterministic)', async () => {
    const a = createFixtureSource({ now: () => FIXED_NOW, tickIntervalMs: 0 });
    const b = createFixtureSource({ now: () => FIXED_NOW, tickIntervalMs: 0 });
    const q = { kind: 'workload' as const, window: '5m' as const };
    expect(await a.stat(q)).toEqual(await b.stat(q));
    expect(a.seedSpans()).toEqual(b.seedSpans());
  });

  it('sums namespace stats from its workloads', async () => {
    const { url } = await start();
    const ns = statResponseSchema.parse((await getJson(`${url}/api/v1/stat?kind=namespace`)).body);
    const wl = statResponseSchema.parse(
      (await getJson(`${url}/api/v1/stat?kind=workload&namespace=shop`)).body,
    );
    const shop = ns.rows.find((r) => r.name === 'shop');
    expect(shop?.rps).toBeCloseTo(
      wl.rows.reduce((s, r) => s + r.rps, 0),
      9,
    );
    expect(wl.rows.every((r) => r.namespace === 'shop')).toBe(true);
  });

  it('serves edges, topology, timeseries, histogram, namespaces, targets and status by the contract', async () => {
    const { url } = await start();
    const edges = edgesResponseSchema.parse(
      (await getJson(`${url}/api/v1/edges?namespace=payments`)).body,
    );
    expect(edges.edges.map((e) => `${e.source.name}->${e.destination.name}:${e.mtls}`)).toEqual([
      'checkout->payments:mtls',
      'payments->fraud:mtls',
      'payments->postgres:plaintext',
    ]);
    const topo = topologyResponseSchema.parse((await getJson(`${url}/api/v1/topology`)).body);
    const ids = new Set(topo.nodes.map((n) => n.id));
    expect(topo.edges.every((e) => ids.has(e.source) && ids.has(e.target))).toBe(true);
    // health is the viewer's to colour (its thresholds); the numbers behind it are here
    expect(topo.nodes.find((n) => n.name === 'payments')?.successRate).toBeLessThan(0.9);
    expect(topo.nodes.find((n) => n.name === 'web')?.successRate).toBeGreaterThan(0.95);
    expect(topo.edges.every((e) => e.id === `${e.source}->${e.target}`)).toBe(true);

    const ts = timeseriesResponseSchema.parse(
      (
        await getJson(
          `${url}/api/v1/timeseries?kind=workload&namespace=shop&name=web&window=5m&step=15s`,
        )
      ).body,
    );
    expect(ts.step).toBe(15_000);
    expect(ts.points).toHaveLength(20);
    expect(ts.points.at(-1)?.t).toBe(FIXED_NOW);

    const hist = histogramResponseSchema.parse(
      (
        await getJson(
          `${url}/api/v1/histogram?kind=workload&namespace=shop&name=checkout&window=1h`,
        )
      ).body,
    );
    expect(hist.buckets.at(-1)?.le).toBe('+Inf');
    const slow = hist.buckets.filter((b) => typeof b.le === 'number' && b.le >= 2000 && b.exemplar);
    expect(slow.length).toBeGreaterThan(0);
    // An exemplar links to a real stored trace.
    const traceId = slow[0]?.exemplar?.traceId ?? '';
    const trace = traceResponseSchema.parse(
      (await getJson(`${url}/api/v1/traces/${traceId}`)).body,
    );
    expect(trace.summary.services).toContain('checkout');
    expect(trace.trace.spans.some((s) => s.service === 'checkout' && s.kind === 'server')).toBe(
      true,
    );

    const ns = namespacesResponseSchema.parse((await getJson(`${url}/api/v1/namespaces`)).body);
    expect(ns.namespaces).toEqual([
      { name: 'payments', workloads: 2 },
      { name: 'platform', workloads: 2 },
      { name: 'shop', workloads: 4 },
    ]);
    const targets = targetsResponseSchema.parse((await getJson(`${url}/api/v1/targets`)).body);
    expect(targets.targets.filter((t) => t.health === 'down').map((t) => t.lastError)).toEqual([
      'connect ECONNREFUSED 10.0.99.9:4191',
    ]);
    const status = statusResponseSchema.parse((await getJson(`${url}/api/v1/status`)).body);
    expect(status.source.kind).toBe('fixture');
    expect(status.stale).toBe(false);
    expect(status.traces.spans).toBeGreaterThan(0);
  });

  it('returns hostile names verbatim as JSON strings', async () => {
    const fixture = createFixtureSource({
      now: () => FIXED_NOW,
      hostileNames: true,
      tickIntervalMs: 0,
    });
    const { url } = await start(fixture);
    const res = await fetch(`${url}/api/v1/stat?kind=workload&namespace=shop`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const stat = statResponseSchema.parse(await res.json());
    expect(stat.rows.map((r) => r.name)).toContain(HOSTILE_WORKLOAD);
    const q = new URLSearchParams({ kind: 'workload', namespace: 'shop', name: HOSTILE_WORKLOAD });
    expect((await getJson(`${url}/api/v1/timeseries?${q.toString()}`)).status).toBe(200);
  });
});

describe('bad input', () => {
  it('answers 400 naming the parameter', async () => {
    const { url } = await start();
    const cases: [string, string][] = [
      ['/api/v1/stat?window=2m', 'window'],
      ['/api/v1/stat?kind=deployment', 'kind'],
      ['/api/v1/edges?from=abc', 'from'],
      ['/api/v1/topology?from=2000&to=1000', 'to'],
      ['/api/v1/timeseries?kind=workload&name=web', 'namespace'],
      ['/api/v1/timeseries?kind=workload&namespace=shop&name=web&step=1ms', 'step'],
      ['/api/v1/traces?limit=100000', 'limit'],
      ['/api/v1/traces?error=maybe', 'error'],
      ['/api/v1/stat?kind=pod&kind=service', 'kind'],
      ['/api/v1/traces/xyz', 'traceId'],
    ];
    for (const [path, parameter] of cases) {
      const { status, body } = await getJson(url + path);
      expect({ path, status }).toEqual({ path, status: 400 });
      expect(errorResponseSchema.parse(body).error.parameter).toBe(parameter);
    }
  });

  it('answers 404 for unknown resources, traces and endpoints', async () => {
    const { url } = await start();
    const notFound = [
      '/api/v1/timeseries?kind=workload&namespace=shop&name=nope',
      '/api/v1/histogram?kind=service&namespace=nope&name=web',
      '/api/v1/stat?kind=workload&namespace=shop&name=nope',
      `/api/v1/traces/${'ab'.repeat(16)}`,
      '/api/v1/nothing',
      '/api/v2/nothing',
    ];
    for (const path of notFound) {
      const { status, body } = await getJson(url + path);
      expect({ path, status }).toEqual({ path, status: 404 });
      expect(errorResponseSchema.parse(body).error.code).toBe('not_found');
    }
  });

  it('answers 503 while the source is down and recovers', async () => {
    const { url, fixture } = await start();
    fixture.setDown(true);
    const down = await getJson(`${url}/api/v1/stat`);
    expect(down.status).toBe(503);
    expect(errorResponseSchema.parse(down.body).error).toEqual({
      code: 'unavailable',
      message: 'the telemetry source cannot answer right now; see /api/v1/status',
    });
    const status = statusResponseSchema.parse((await getJson(`${url}/api/v1/status`)).body);
    expect(status.stale).toBe(true);
    expect(status.errors).toEqual([
      { component: 'source:fixture', message: 'fixture source is down (simulated outage)' },
    ]);
    expect((await getJson(`${url}/ready`)).status).toBe(503);
    fixture.setDown(false);
    expect((await getJson(`${url}/api/v1/stat`)).status).toBe(200);
  });
});

describe('shared views', () => {
  it('computes a view once per tick for all viewers', async () => {
    const fixture = createFixtureSource({ now: () => FIXED_NOW, tickIntervalMs: 0 });
    let calls = 0;
    const original = fixture.stat.bind(fixture);
    fixture.stat = (q) => {
      calls += 1;
      return original(q);
    };
    const { url } = await start(fixture);
    await Promise.all([1, 2, 3].map(() => fetch(`${url}/api/v1/stat?window=5m&kind=workload`)));
    await fetch(`${url}/api/v1/stat?kind=workload&window=5m`); // same query, other parameter order
    expect(calls).toBe(1);
    fixture.tick();
    await fetch(`${url}/api/v1/stat?window=5m`);
    expect(calls).toBe(2);
  });
});
