import { describe, expect, it } from 'vitest';
import { aggregateKey, COL, type FoldedRecord } from '../model';
import { ingestScrape } from './ingest';
import { forgetRoutes } from './routeCache';
import { emptySeriesState } from './seriesState';

// ingestScrape folds each sample as the parser reads it (visitExposition): the dialect is known
// only at the end, and a body that fails midway must leave nothing behind.

const target = { namespace: 'shop', deployment: 'web', pod: 'web-1' };
const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

function linkerd(n: number): string {
  return [
    '# TYPE response_total counter',
    `response_total{direction="inbound",tls="true",classification="success",status_code="200"} ${10 * n}`,
    `response_total{direction="inbound",tls="true",classification="failure",status_code="500"} ${n}`,
    '',
  ].join('\n');
}

function istio(n: number): string {
  return [
    '# TYPE istio_requests_total counter',
    `istio_requests_total{reporter="destination",destination_workload="web",destination_workload_namespace="shop",response_code="200"} ${5 * n}`,
    '',
  ].join('\n');
}

const meshlensInfo = '# TYPE meshlens_proxy_info gauge\nmeshlens_proxy_info{version="1"} 1\n';

function successes(records: FoldedRecord[], view: string): number | undefined {
  return records.find((r) => r.view === view)?.deltas[COL.success];
}

describe('ingestScrape', () => {
  it('names the dialect by the first istio_ or meshlens_ family and counts only its series', () => {
    let state = emptySeriesState();
    // meshlens first: the Linkerd-style series count, the istio_ ones do not (as before streaming)
    const body = (n: number) => meshlensInfo + linkerd(n) + istio(n);
    state = ingestScrape(body(1), undefined, target, state).state;
    const second = ingestScrape(body(3), undefined, target, state).result;
    expect(second.dialect).toBe('meshlens');
    expect(successes(second.records, 'workload')).toBe(20);

    // istio first: only the istio_ series count
    let istioState = emptySeriesState();
    const istioBody = (n: number) => istio(n) + linkerd(n);
    istioState = ingestScrape(istioBody(1), undefined, target, istioState).state;
    const folded = ingestScrape(istioBody(3), undefined, target, istioState).result;
    expect(folded.dialect).toBe('istio');
    expect(successes(folded.records, 'workload')).toBe(10);

    const plain = ingestScrape(linkerd(1), undefined, target, emptySeriesState()).result;
    expect(plain.dialect).toBe('linkerd');
    const none = ingestScrape('up 1\n', undefined, target, emptySeriesState()).result;
    expect([none.dialect, none.records]).toEqual(['unknown', []]);
  });

  it('a body that fails midway throws and leaves the previous counters as they were', () => {
    const first = ingestScrape(linkerd(1), undefined, target, emptySeriesState());
    const broken = `${linkerd(5)}response_total{direction="inbound" 7\n`;
    expect(() => ingestScrape(broken, undefined, target, first.state)).toThrow(
      /^line 4, column 36: expected label name/,
    );
    // OpenMetrics: the family is found invalid only at its end, after its samples were folded
    const om = `${linkerd(5).replace('response_total counter', 'response counter')}# EOF\nextra\n`;
    expect(() => ingestScrape(om, OM, target, first.state)).toThrow(/nothing may follow/);
    const next = ingestScrape(linkerd(2), undefined, target, first.state).result;
    expect(successes(next.records, 'workload')).toBe(10);
    expect(next.records.find((r) => r.view === 'workload')?.deltas[COL.failure]).toBe(1);
  });
});

/** A Linkerd-style scrape that changes between rounds the ways real ones do. */
function churningScrapes(seed: number, rounds: number): string[] {
  let x = seed;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const les = [1, 5, 10, 50, 100, 500, 'Inf'];
  const flows = [
    'direction="inbound",tls="true",client_id="web.shop.serviceaccount.identity.linkerd.cluster.local"',
    ...['a', 'b', 'c', 'd'].map(
      (d) =>
        `direction="outbound",tls="${d === 'd' ? 'no_identity' : 'true'}",dst_namespace="shop",dst_deployment="${d}",dst_service="${d}",server_id="${d}.shop.serviceaccount.identity.linkerd.cluster.local"`,
    ),
  ];
  const totals = new Map<string, number>();
  const bump = (key: string, by: number) => {
    const v = (totals.get(key) ?? 0) + by;
    totals.set(key, v);
    return v;
  };
  const out: string[] = [];
  for (let r = 0; r < rounds; r++) {
    let order = flows.map((f, i) => ({ f, i }));
    if (rnd() < 0.2) order = order.sort(() => rnd() - 0.5); // reordered
    if (rnd() < 0.2) order = order.filter(() => rnd() < 0.8); // flows gone this round
    const lines = ['# HELP response_total Total count', '# TYPE response_total counter'];
    const hist = ['# TYPE response_latency_ms histogram'];
    for (const { f, i } of order) {
      // a reset now and then; a re-spaced label list (the same series, written differently)
      if (rnd() < 0.1) for (const k of totals.keys()) if (k.startsWith(`${i}:`)) totals.set(k, 0);
      const labels = rnd() < 0.1 ? f.replace(/,/g, ', ') : f;
      for (const [code, cls] of [
        ['200', 'success'],
        ['500', 'failure'],
      ] as const) {
        const n = bump(`${i}:${code}`, Math.floor(rnd() * 50));
        lines.push(`response_total{${labels},status_code="${code}",classification="${cls}"} ${n}`);
        let cum = 0;
        for (const le of les) {
          cum += Math.floor(rnd() * 10);
          const v = bump(`${i}:${code}:${le}`, cum);
          const bucket = le === 'Inf' ? '+Inf' : String(le);
          hist.push(
            `response_latency_ms_bucket{${labels},status_code="${code}",le="${bucket}"} ${v}`,
          );
        }
        hist.push(`response_latency_ms_count{${labels},status_code="${code}"} ${n}`);
      }
      lines.push(`tcp_open_connections{${labels},peer="${i === 0 ? 'src' : 'dst'}"} ${i + r}`);
    }
    out.push(`${[...lines, ...hist, '# TYPE tcp_open_connections gauge'].join('\n')}\n`);
  }
  return out;
}

describe('folding remembered series from their value alone', () => {
  it('gives exactly the records of a full parse, scrape after scrape, whatever changes', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      let full = emptySeriesState();
      let remembered = emptySeriesState();
      for (const body of churningScrapes(seed, 30)) {
        const a = ingestScrape(body, undefined, target, full, undefined, false);
        const b = ingestScrape(body, undefined, target, remembered, undefined, true);
        full = a.state;
        remembered = b.state;
        const byKey = (r: FoldedRecord) => aggregateKey(r);
        const sorted = (rs: FoldedRecord[]) =>
          [...rs].sort((x, y) => byKey(x).localeCompare(byKey(y)));
        expect(sorted(b.result.records)).toEqual(sorted(a.result.records));
        expect(b.result.dialect).toBe(a.result.dialect);
      }
    }
  });

  it('reads the labels of a known series no more: what its line says after them is all it uses', () => {
    const body = linkerd(1);
    const first = ingestScrape(body, undefined, target, emptySeriesState());
    // the same series, new values: folded without the parser building a label object
    const second = ingestScrape(linkerd(4), undefined, target, first.state);
    expect(successes(second.result.records, 'workload')).toBe(30);
    expect(second.state.routes.slice(0, second.state.size).every((r) => r > 0)).toBe(true);
  });
});

describe('when the remembered routes start over', () => {
  it('series remembered before are parsed in full, with the same increments', () => {
    let state = ingestScrape(linkerd(1), undefined, target, emptySeriesState()).state;
    state = ingestScrape(linkerd(2), undefined, target, state).state;
    forgetRoutes();
    const after = ingestScrape(linkerd(5), undefined, target, state);
    expect(successes(after.result.records, 'workload')).toBe(30);
    expect(after.result.records.find((r) => r.view === 'workload')?.deltas[COL.failure]).toBe(3);
    // and are remembered again from there
    const next = ingestScrape(linkerd(6), undefined, target, after.state);
    expect(successes(next.result.records, 'workload')).toBe(10);
    expect(next.state.routes.slice(0, next.state.size).every((r) => r > 0)).toBe(true);
  });
});
