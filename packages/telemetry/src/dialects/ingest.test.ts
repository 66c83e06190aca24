import { describe, expect, it } from 'vitest';
import { COL, type FoldedRecord } from '../model';
import { ingestScrape } from './ingest';
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
