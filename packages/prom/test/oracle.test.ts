import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { histogramQuantile, increase, irate, parseExposition, rate } from '@meshlens/prom';
import type { Bucket, Point } from '@meshlens/prom';
import { BASE_MS, SPAN_MS, generateOracleData } from './oracleData';
import { promValue, startPrometheusWith } from './prometheusServer';
import type { PrometheusServer, VectorOrMatrix } from './prometheusServer';
import { requireBinary } from './testdata';

const enabled = requireBinary('/usr/bin/prometheus') && requireBinary('/usr/bin/promtool');
const EVAL_TIMES = [7, 13, 21, 29, 38].map((m) => BASE_MS + m * 60_000);

function close(ours: number | undefined, theirs: number | undefined): boolean {
  if (ours === undefined || theirs === undefined) return ours === theirs;
  if (Number.isNaN(ours) || Number.isNaN(theirs)) return Number.isNaN(ours) && Number.isNaN(theirs);
  if (ours === theirs) return true;
  return Math.abs(ours - theirs) <= 1e-9 * Math.max(Math.abs(ours), Math.abs(theirs));
}

function points(m: VectorOrMatrix): Point[] {
  return (m.values ?? []).map(([t, v]) => ({ t: Math.round(t * 1000), v: promValue(v) }));
}

function byKey(
  results: VectorOrMatrix[],
  key: (m: Record<string, string>) => string,
): Map<string, number> {
  return new Map(results.map((r) => [key(r.metric), promValue(r.value?.[1] ?? 'NaN')]));
}

const idKey = (m: Record<string, string>): string => m.id ?? '';

describe.runIf(enabled)('oracle: our math agrees with the real Prometheus engine to 1e-9', () => {
  let prom: PrometheusServer;
  const data = generateOracleData(20261125, 160, 60);
  const mismatches: string[] = [];
  let compared = 0;

  function compare(what: string, ours: number | undefined, theirs: number | undefined): void {
    compared++;
    if (!close(ours, theirs)) mismatches.push(`${what}: ours ${ours} prometheus ${theirs}`);
  }

  beforeAll(async () => {
    prom = await startPrometheusWith(data.openMetrics);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
  });

  it('generated at least 200 series', () => {
    expect(data.counterSeries + data.histogramSeries).toBeGreaterThanOrEqual(200);
  });

  for (const [fn, range] of [
    ['rate', 300],
    ['increase', 120],
    ['rate', 60],
    ['increase', 900],
    ['irate', 60],
    ['irate', 300],
  ] as const) {
    it(`${fn}(oracle_counter[${range}s]) at ${EVAL_TIMES.length} times`, async () => {
      mismatches.length = 0;
      for (const at of EVAL_TIMES) {
        const raw = await prom.query(`oracle_counter[${range}s]`, at);
        const theirs = byKey(await prom.query(`${fn}(oracle_counter[${range}s])`, at), idKey);
        for (const series of raw) {
          const pts = points(series);
          const start = at - range * 1000;
          const ours =
            fn === 'irate'
              ? irate(pts)
              : fn === 'rate'
                ? rate(pts, start, at)
                : increase(pts, start, at);
          compare(
            `${fn} id=${idKey(series.metric)} t=${at}`,
            ours,
            theirs.get(idKey(series.metric)),
          );
        }
      }
      expect(mismatches).toEqual([]);
    });
  }

  function groupBuckets(
    results: VectorOrMatrix[],
    value: (r: VectorOrMatrix) => number | undefined,
  ): Map<string, Bucket[]> {
    const groups = new Map<string, Bucket[]>();
    for (const r of results) {
      const v = value(r);
      if (v === undefined) continue;
      const list = groups.get(idKey(r.metric)) ?? [];
      list.push({ le: promValue(r.metric.le ?? 'NaN'), count: v });
      groups.set(idKey(r.metric), list);
    }
    return groups;
  }

  it('histogram_quantile over raw (sometimes non-monotonic) buckets, q in and outside [0,1]', async () => {
    mismatches.length = 0;
    for (const at of EVAL_TIMES) {
      const groups = groupBuckets(await prom.query('oracle_hist_bucket', at), (r) =>
        promValue(r.value?.[1] ?? 'NaN'),
      );
      for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.99, 1, -0.5, 1.5]) {
        const theirs = byKey(
          await prom.query(`histogram_quantile(${q}, oracle_hist_bucket)`, at),
          idKey,
        );
        for (const [id, buckets] of groups)
          compare(`q=${q} id=${id} t=${at}`, histogramQuantile(q, buckets), theirs.get(id));
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('histogram_quantile(q, rate(oracle_hist_bucket[5m]))', async () => {
    mismatches.length = 0;
    for (const at of EVAL_TIMES) {
      const raw = await prom.query('oracle_hist_bucket[300s]', at);
      const groups = groupBuckets(raw, (r) => rate(points(r), at - 300_000, at));
      for (const q of [0.5, 0.95]) {
        const theirs = byKey(
          await prom.query(`histogram_quantile(${q}, rate(oracle_hist_bucket[300s]))`, at),
          idKey,
        );
        for (const [id, buckets] of groups)
          compare(`rate q=${q} id=${id} t=${at}`, histogramQuantile(q, buckets), theirs.get(id));
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
  });

  it('parses the real Prometheus server /metrics (text format, served with its content type)', async () => {
    const res = await fetch(`${prom.url}/metrics`);
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const families = parseExposition(text, { contentType });
    const expectedSamples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    expect(families.reduce((n, f) => n + f.samples.length, 0)).toBe(expectedSamples);
    expect(families.length).toBe(text.split('\n').filter((l) => l.startsWith('# TYPE ')).length);
    expect(families.find((f) => f.name === 'prometheus_http_requests_total')?.type).toBe('counter');
  });

  it('covers the whole generated span', () => {
    expect(EVAL_TIMES.every((t) => t <= BASE_MS + SPAN_MS)).toBe(true);
  });
});
