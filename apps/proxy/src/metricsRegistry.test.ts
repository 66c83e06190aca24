import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseExposition } from '@meshlens/prom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OPENMETRICS_CONTENT_TYPE } from './exposition';
import { FastCounter, FastHistogram } from './fastMetrics';
import { MetricsRegistry } from './metricsRegistry';

// A value a client controls (Host header, service name): quote, backslash, line feed, markup.
const EVIL = 'a"b\\c\nd</script><b>';
const EVIL_OUT = 'a\\"b\\\\c\\nd</script><b>';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function sampleRegistry() {
  const registry = new MetricsRegistry();
  const requests = registry.counter({
    name: 'demo_requests_total',
    help: 'Requests, by "authority".\nSecond line with a \\ backslash.',
    labelNames: ['direction', 'authority'],
  });
  const open = registry.gauge({
    name: 'demo_open_connections',
    help: 'Open connections.',
    labelNames: ['peer'],
  });
  const fast = registry.register(new FastCounter('demo_responses_total', 'Responses.'));
  const latency = registry.register(
    new FastHistogram('demo_latency_seconds', 'Latency.', [0.005, 0.1, 1]),
  );
  registry.gauge({ name: 'demo_heap_bytes', help: 'Heap.', collect: () => 2048 });
  requests.inc({ direction: 'outbound', authority: EVIL });
  requests.inc({ authority: EVIL, direction: 'outbound' }, 2); // same series, other key order
  requests.inc({ direction: 'inbound', authority: 'Zürich' });
  open.inc({ peer: 'src' }, 3);
  open.dec({ peer: 'src' });
  open.set({ peer: 'dst' }, 0.5);
  fast.labels({ direction: 'inbound', status_code: '200', dst_pod: undefined }).inc(4);
  const h = latency.labels({ authority: EVIL });
  h.observe(0.003, { trace_id: TRACE });
  h.observe(0.5);
  h.observe(7, { trace_id: TRACE });
  return registry;
}

const PROM_TEXT = `# HELP demo_requests_total Requests, by "authority".\\nSecond line with a \\\\ backslash.
# TYPE demo_requests_total counter
demo_requests_total{direction="outbound",authority="${EVIL_OUT}"} 3
demo_requests_total{direction="inbound",authority="Zürich"} 1

# HELP demo_open_connections Open connections.
# TYPE demo_open_connections gauge
demo_open_connections{peer="src"} 2
demo_open_connections{peer="dst"} 0.5

# HELP demo_responses_total Responses.
# TYPE demo_responses_total counter
demo_responses_total{direction="inbound",status_code="200"} 4

# HELP demo_latency_seconds Latency.
# TYPE demo_latency_seconds histogram
demo_latency_seconds_bucket{le="0.005",authority="${EVIL_OUT}"} 1
demo_latency_seconds_bucket{le="0.1",authority="${EVIL_OUT}"} 1
demo_latency_seconds_bucket{le="1",authority="${EVIL_OUT}"} 2
demo_latency_seconds_bucket{le="+Inf",authority="${EVIL_OUT}"} 3
demo_latency_seconds_sum{authority="${EVIL_OUT}"} 7.503
demo_latency_seconds_count{authority="${EVIL_OUT}"} 3

# HELP demo_heap_bytes Heap.
# TYPE demo_heap_bytes gauge
demo_heap_bytes 2048
`;

const OPENMETRICS = `# HELP demo_requests Requests, by "authority".\\nSecond line with a \\\\ backslash.
# TYPE demo_requests counter
demo_requests_total{direction="outbound",authority="${EVIL_OUT}"} 3
demo_requests_total{direction="inbound",authority="Zürich"} 1
# HELP demo_open_connections Open connections.
# TYPE demo_open_connections gauge
demo_open_connections{peer="src"} 2
demo_open_connections{peer="dst"} 0.5
# HELP demo_responses Responses.
# TYPE demo_responses counter
demo_responses_total{direction="inbound",status_code="200"} 4
# HELP demo_latency_seconds Latency.
# TYPE demo_latency_seconds histogram
demo_latency_seconds_bucket{le="0.005",authority="${EVIL_OUT}"} 1 # {trace_id="${TRACE}"} 0.003 1764505200.123
demo_latency_seconds_bucket{le="0.1",authority="${EVIL_OUT}"} 1
demo_latency_seconds_bucket{le="1",authority="${EVIL_OUT}"} 2
demo_latency_seconds_bucket{le="+Inf",authority="${EVIL_OUT}"} 3 # {trace_id="${TRACE}"} 7 1764505200.123
demo_latency_seconds_sum{authority="${EVIL_OUT}"} 7.503
demo_latency_seconds_count{authority="${EVIL_OUT}"} 3
# HELP demo_heap_bytes Heap.
# TYPE demo_heap_bytes gauge
demo_heap_bytes 2048
# EOF
`;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1764505200123);
});
afterEach(() => vi.useRealTimers());

describe('MetricsRegistry exposition', () => {
  it('renders Prometheus text 0.0.4 exactly, hostile label values escaped, no exemplars', () => {
    expect(sampleRegistry().render(false)).toBe(PROM_TEXT);
  });

  it('renders OpenMetrics 1.0 exactly: counter families without _total, exemplars, # EOF', () => {
    expect(sampleRegistry().render(true)).toBe(OPENMETRICS);
  });

  it('reads back the hostile values and exemplars unchanged with @meshlens/prom (both formats)', () => {
    for (const [text, contentType] of [
      [PROM_TEXT, 'text/plain'],
      [OPENMETRICS, OPENMETRICS_CONTENT_TYPE],
    ] as const) {
      const families = parseExposition(text, { contentType });
      expect(families.map((f) => [f.name, f.type])).toEqual([
        [contentType === 'text/plain' ? 'demo_requests_total' : 'demo_requests', 'counter'],
        ['demo_open_connections', 'gauge'],
        [contentType === 'text/plain' ? 'demo_responses_total' : 'demo_responses', 'counter'],
        ['demo_latency_seconds', 'histogram'],
        ['demo_heap_bytes', 'gauge'],
      ]);
      expect(families[0]?.help).toBe('Requests, by "authority".\nSecond line with a \\ backslash.');
      expect(families[0]?.samples[0]?.labels).toEqual({ direction: 'outbound', authority: EVIL });
      const buckets = families[3]?.samples.filter((s) => s.exemplar !== undefined) ?? [];
      if (contentType === 'text/plain') expect(buckets).toEqual([]);
      else
        expect(buckets.map((s) => [s.labels.le, s.exemplar])).toEqual([
          ['0.005', { labels: { trace_id: TRACE }, value: 0.003, timestampMs: 1764505200123 }],
          ['+Inf', { labels: { trace_id: TRACE }, value: 7, timestampMs: 1764505200123 }],
        ]);
    }
  });

  it('passes promtool check metrics (parse and lint) in the text format', () => {
    const promtool = '/usr/bin/promtool';
    if (!existsSync(promtool)) {
      throw new Error(
        `${promtool} is missing: install Prometheus' promtool (apt install prometheus)`,
      );
    }
    // promtool 2.x reads the text format only; OpenMetrics is held to @meshlens/prom's strict parser
    const out = execFileSync(promtool, ['check', 'metrics'], {
      input: sampleRegistry().render(false),
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    expect(out).toBe('');
  });
});

describe('MetricsRegistry input checks', () => {
  it('refuses bad calls with a message naming the metric, and changes nothing', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'x_total', help: 'x', labelNames: ['reason'] });
    const g = registry.gauge({ name: 'y', help: 'y', labelNames: ['peer'] });
    c.inc({ reason: 'a' });
    expect(() => c.inc({ reason: 'a' }, -1)).toThrow('metric x_total: a counter cannot go down');
    expect(() => c.inc({ reason: 'a' }, Number.NaN)).toThrow(
      'metric x_total: value must be a finite number, got NaN',
    );
    expect(() => c.inc({ bogus: 'b' } as never)).toThrow(
      'metric x_total: unknown label "bogus" (labels: reason)',
    );
    expect(() => g.set({ peer: 'p' }, Number.POSITIVE_INFINITY)).toThrow(
      'metric y: value must be a finite number, got Infinity',
    );
    expect(registry.render(false)).toBe(
      '# HELP x_total x\n# TYPE x_total counter\nx_total{reason="a"} 1\n\n# HELP y y\n# TYPE y gauge\n',
    );
  });

  it('refuses invalid names and a second metric of the same name', () => {
    const registry = new MetricsRegistry();
    registry.counter({ name: 'x_total', help: 'x' });
    expect(() => registry.gauge({ name: 'x_total', help: 'again' })).toThrow(
      'a metric named x_total is already registered',
    );
    expect(() => registry.gauge({ name: 'bad-name', help: '' })).toThrow(
      'invalid metric name "bad-name"',
    );
    expect(() => registry.gauge({ name: 'g', help: '', labelNames: ['le'] })).toThrow(
      'metric g: invalid label name "le"',
    );
  });

  it('resets to no series, or to 0 for a metric without labels', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'a_total', help: 'a' });
    const g = registry.gauge({ name: 'b', help: 'b', labelNames: ['health'] });
    c.inc(5);
    g.set({ health: 'ok' }, 2);
    c.reset();
    g.reset();
    expect(registry.render(true)).toBe(
      '# HELP a a\n# TYPE a counter\na_total 0\n# HELP b b\n# TYPE b gauge\n# EOF\n',
    );
  });

  it('keeps only exemplars within the OpenMetrics limit of 128 characters', () => {
    const registry = new MetricsRegistry();
    const h = registry.register(new FastHistogram('h', 'h', [1]));
    h.observe({ labels: {}, value: 0.5, exemplarLabels: { trace_id: 'a'.repeat(120) } });
    h.observe({ labels: {}, value: 2, exemplarLabels: { trace_id: 'b'.repeat(121) } });
    expect(registry.render(true)).toBe(
      `# HELP h h\n# TYPE h histogram\nh_bucket{le="1"} 1 # {trace_id="${'a'.repeat(120)}"} 0.5 1764505200.123\nh_bucket{le="+Inf"} 2\nh_sum 2.5\nh_count 2\n# EOF\n`,
    );
  });
});
