import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestScrape } from '../src/dialects/ingest';
import { emptySeriesState } from '../src/dialects/seriesState';
import { QueryEngine } from '../src/query/engine';
import { TelemetryStore } from '../src/store/store';
import { renderGoTemplate } from './helpers/goTemplate';
import { yamlFamilyToExposition } from './helpers/istioExposition';
import { testdataDir } from './helpers/testdata';

const dir = testdataDir();

/** The TCP templates have constant values: scale them to make traffic between two scrapes. */
function scaleTcp(text: string, factor: number): string {
  return text.replace(
    /^(istio_tcp_\S+\{.*\}) (\d+)$/gm,
    (_m, series: string, v: string) => `${series} ${Number(v) * factor}`,
  );
}

/** The client (reporter=source) and server (reporter=destination) proxies' scrapes of one flow. */
function scrapes(vars: Record<string, string>, tcpFactor = 1): { client: string; server: string } {
  const render = (file: string) =>
    yamlFamilyToExposition(
      renderGoTemplate(readFileSync(path.join(dir ?? '', 'istio', file), 'utf8'), {
        Vars: {
          AppVersionFallback: 'false',
          EnableAdditionalLabels: 'false',
          WasmRuntime: '',
          ...vars,
        },
        Ports: { ClientPort: '20001', ServerPort: '20002' },
      }),
    );
  return {
    client: scaleTcp(
      [
        'client_request_total.yaml.tmpl',
        'tcp_client_sent_bytes.yaml.tmpl',
        'tcp_client_connection_open.yaml.tmpl',
      ]
        .map(render)
        .join(''),
      tcpFactor,
    ),
    server: ['server_request_total.yaml.tmpl', 'tcp_server_received_bytes.yaml.tmpl']
      .map(render)
      .join(''),
  };
}

describe.skipIf(!dir)('istio/proxy metric templates (testdata/istio)', () => {
  it('renders to exposition text the Istio dialect reads', () => {
    const { client } = scrapes({ RequestCount: '10', ConnectionCount: '1' });
    const { result } = ingestScrape(
      client,
      undefined,
      { namespace: 'default', pod: 'productpage-v1-abc' },
      emptySeriesState(),
    );
    expect(result.dialect).toBe('istio');
    const edge = result.records.find((r) => r.view === 'edge');
    expect(edge?.resource).toEqual({ namespace: 'default', name: 'productpage-v1' });
    expect(edge?.destination).toEqual({
      kind: 'workload',
      namespace: 'default',
      name: 'ratings-v1',
    });
  });

  it('maps reporter=source series to edges and reporter=destination series to workload and service stats', () => {
    const store = new TelemetryStore({ intervalMs: 10_000 });
    const engine = new QueryEngine(store, { intervalMs: 10_000, now: () => 10_000 });
    const states = { client: emptySeriesState(), server: emptySeriesState() };
    const rounds = [
      { t: 0, vars: { RequestCount: '10', ConnectionCount: '1' }, tcp: 1 },
      { t: 10_000, vars: { RequestCount: '30', ConnectionCount: '3' }, tcp: 3 },
    ];
    for (const { t, vars, tcp } of rounds) {
      const s = scrapes(vars, tcp);
      store.beginRound(t);
      for (const who of ['client', 'server'] as const) {
        const labels = {
          namespace: 'default',
          pod: who === 'client' ? 'productpage-v1-abc' : 'ratings-v1-xyz',
        };
        const out = ingestScrape(s[who], undefined, labels, states[who]);
        states[who] = out.state;
        for (const r of out.result.records) store.add(r, who);
      }
      store.commitRound();
    }
    const range = { from: 0, to: 10_000 };
    const [edge, ...more] = engine.edges({ kind: 'workload', ...range }).edges;
    expect(more).toEqual([]);
    expect(edge?.source).toEqual({
      namespace: 'default',
      kind: 'workload',
      name: 'productpage-v1',
    });
    expect(edge?.destination).toEqual({
      namespace: 'default',
      kind: 'workload',
      name: 'ratings-v1',
    });
    expect(edge?.requests).toEqual({ success: 20, failure: 0 });
    expect(edge?.rps).toBe(2);
    expect(edge?.successRate).toBe(1);
    // client-side TCP series carry both SPIFFE principals: mTLS although the policy label is unknown
    expect(edge?.mtls).toBe('mtls');
    expect(edge?.clientId).toBe('spiffe://cluster.local/ns/default/sa/client');
    // sent bytes 120 -> 360 over 10 s
    expect(edge?.tcp.writeBytesPerSec).toBe(24);
    const workloads = engine.stat({ kind: 'workload', ...range }).rows;
    // productpage-v1 only calls out: listed (idle, with its instance) as linkerd viz stat does
    expect(workloads.map((r) => [r.name, r.requests.success, r.instances])).toEqual([
      ['productpage-v1', 0, 1],
      ['ratings-v1', 20, 1],
    ]);
    // app, version and cluster travel from source_/destination_app, _version, _cluster
    expect(workloads.map((r) => [r.name, r.app, r.version, r.cluster])).toEqual([
      ['productpage-v1', 'productpage', 'v1', 'client-cluster'],
      ['ratings-v1', 'ratings', 'v1', 'server-cluster'],
    ]);
    const services = engine.stat({ kind: 'service', ...range }).rows;
    expect(services.map((r) => [r.namespace, r.name, r.requests.success])).toEqual([
      ['default', 'server', 20],
    ]);
    expect(services.map((r) => [r.app, r.version, r.cluster])).toEqual([
      [undefined, undefined, 'server-cluster'],
    ]);
    const pods = engine.stat({ kind: 'pod', ...range }).rows;
    expect(pods.map((r) => r.name)).toEqual(['ratings-v1-xyz']);
  });

  it('counts 5xx responses as failures', () => {
    const store = new TelemetryStore({ intervalMs: 10_000 });
    const engine = new QueryEngine(store, { intervalMs: 10_000, now: () => 10_000 });
    let state = emptySeriesState();
    for (const [t, n] of [
      [0, '4'],
      [10_000, '9'],
    ] as const) {
      const text = scrapes({ RequestCount: n, ResponseCode: '503', ConnectionCount: '1' }).server;
      const out = ingestScrape(text, undefined, { namespace: 'default' }, state);
      state = out.state;
      store.beginRound(t);
      for (const r of out.result.records) store.add(r, 'server');
      store.commitRound();
    }
    const [row] = engine.stat({ kind: 'workload', from: 0, to: 10_000 }).rows;
    expect(row?.requests).toEqual({ success: 0, failure: 5 });
    expect(row?.successRate).toBe(0);
  });
});
