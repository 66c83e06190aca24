import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '@meshlens/prom';
import type { MetricFamily } from '@meshlens/prom';
import { haveTestdata, testdataDir } from './testdata';

// Expected counts were established independently of this parser: samples = non-comment,
// non-blank lines; families = `# TYPE` lines (the nometa file: distinct series names, as
// untyped series are families of their own); `promtool check metrics` accepts the text files.

const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const DOCUMENTS: [
  file: string,
  contentType: string | undefined,
  families: number,
  samples: number,
][] = [
  ['prometheus/alltypes.237mfs.prom.txt', undefined, 237, 1857],
  ['prometheus/alltypes.237mfs.nometa.prom.txt', undefined, 291, 1857],
  ['prometheus/promtestdata.txt', undefined, 59, 410],
  ['prometheus/metrics-test.prom', undefined, 4, 27],
  ['expfmt/text.prom', undefined, 37, 248],
  ['linkerd/proxy-metrics.txt', undefined, 28, 199],
  ['envoy/histogram.in', undefined, 1, 264],
  ['envoy/counter-status-codes.in', undefined, 1, 5],
  ['prometheus/alltypes.5mfs.om.txt', OM, 5, 53],
  ['prometheus/1histogram.om.txt', OM, 1, 42],
];

function read(file: string): string {
  return readFileSync(path.join(testdataDir, file), 'utf8');
}

function count(families: MetricFamily[]): number {
  return families.reduce((n, f) => n + f.samples.length, 0);
}

describe.runIf(haveTestdata())('real documents in ../shared/testdata', () => {
  for (const [file, contentType, families, samples] of DOCUMENTS) {
    it(`${file} parses to ${families} families and ${samples} samples`, () => {
      const parsed = parseExposition(read(file), contentType ? { contentType } : {});
      expect(parsed.length).toBe(families);
      expect(count(parsed)).toBe(samples);
    });
  }

  it('linkerd proxy metrics: histogram family with numeric le and typed values', () => {
    const families = parseExposition(read('linkerd/proxy-metrics.txt'));
    const latency = families.find((f) => f.name === 'response_latency_ms');
    expect(latency?.type).toBe('histogram');
    const buckets = latency?.samples.filter((s) => s.name === 'response_latency_ms_bucket') ?? [];
    expect(buckets.length).toBeGreaterThan(0);
    expect(buckets.at(-1)?.labels.le).toBe('+Inf');
    expect(typeof buckets[0]?.value).toBe('number');
  });

  it('OpenMetrics histogram: exemplars, created series, seconds timestamps to ms', () => {
    const families = parseExposition(read('prometheus/alltypes.5mfs.om.txt'), { contentType: OM });
    expect(families.map((f) => f.type)).toEqual([
      'gauge',
      'counter',
      'histogram',
      'summary',
      'counter',
    ]);
    const family = families[2];
    expect(family?.name).toBe('rpc_durations_histogram_seconds');
    expect(family?.type).toBe('histogram');
    const withExemplar = family?.samples.find((s) => s.labels.le === '-0.0002899999999999998');
    expect(withExemplar?.value).toBe(3);
    expect(withExemplar?.exemplar).toEqual({
      labels: { dummyID: '17783' },
      value: -0.0003825067330956884,
      timestampMs: 1726839814224,
    });
    const created = family?.samples.find(
      (s) => s.name === 'rpc_durations_histogram_seconds_created',
    );
    expect(created?.value).toBe(1.726839813016302e9);
  });

  it('keep() skips the other families without building their samples', () => {
    const seen: string[] = [];
    const families = parseExposition(read('prometheus/alltypes.237mfs.prom.txt'), {
      keep: (name) => {
        seen.push(name);
        return name === 'go_gc_duration_seconds';
      },
    });
    expect(seen.length).toBe(237);
    expect(families.map((f) => f.name)).toEqual(['go_gc_duration_seconds']);
    expect(families[0]?.samples.length).toBe(7);
  });
});
