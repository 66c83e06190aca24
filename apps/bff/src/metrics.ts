import type { Target } from '@meshlens/contract';
import type { TelemetrySource } from '@meshlens/telemetry';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TapStats } from './tap/tapRoutes';
import type { TraceStore } from './traces/store';

export interface BffMetrics {
  registry: Registry;
  /** records API latency per matched route */
  middleware: RequestHandler;
  spansReceived: Counter<'protocol'>;
  spansRejected: Counter<'protocol'>;
  /** exports the tap's sessions and buffers */
  watchTap(stats: () => TapStats): void;
}

/** The BFF's own metrics. A fresh registry per app keeps tests (several apps per process) apart. */
export function createMetrics(source: TelemetrySource, traces: TraceStore): BffMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meshlens_bff_' });

  const api = new Histogram({
    name: 'meshlens_bff_http_request_duration_seconds',
    help: 'API latency by route',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const spansReceived = new Counter({
    name: 'meshlens_bff_trace_spans_received_total',
    help: 'Spans accepted into the trace store',
    labelNames: ['protocol'] as const,
    registers: [registry],
  });
  const spansRejected = new Counter({
    name: 'meshlens_bff_trace_spans_rejected_total',
    help: 'Spans that could not be parsed',
    labelNames: ['protocol'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'meshlens_bff_trace_store',
    help: 'Trace store size',
    labelNames: ['unit'] as const,
    registers: [registry],
    collect() {
      const s = traces.size();
      this.set({ unit: 'traces' }, s.traces);
      this.set({ unit: 'spans' }, s.spans);
      this.set({ unit: 'bytes' }, s.bytes);
    },
  });
  new Counter({
    name: 'meshlens_bff_trace_spans_evicted_total',
    help: 'Spans evicted from the trace store to stay within its bounds',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(traces.evicted());
    },
  });
  new Gauge({
    name: 'meshlens_bff_source_healthy',
    help: '1 when the telemetry source is healthy',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const s = source.status();
      this.set({ kind: s.kind }, s.healthy ? 1 : 0);
    },
  });
  registerTargetGauges(registry, source);

  const middleware: RequestHandler = (req, res, next) => {
    const end = api.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: unknown } | undefined)?.path;
      end({
        route: typeof route === 'string' ? route : 'other',
        method: req.method,
        status: String(res.statusCode),
      });
    });
    next();
  };
  let tapStats: (() => TapStats) | undefined;
  const tapGauge = (name: string, help: string, pick: (s: TapStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        if (tapStats) this.set(pick(tapStats()));
      },
    });
  tapGauge('meshlens_bff_tap_sessions', 'Open tap streams', (s) => s.sessions);
  tapGauge('meshlens_bff_tap_upstreams', 'Proxy tap streams open', (s) => s.upstreams);
  tapGauge(
    'meshlens_bff_tap_buffered_events',
    'Tap events waiting for slow browsers',
    (s) => s.bufferedEvents,
  );
  return {
    registry,
    middleware,
    spansReceived,
    spansRejected,
    watchTap: (stats) => (tapStats = stats),
  };
}

function registerTargetGauges(registry: Registry, source: TelemetrySource): void {
  // prom-client collects all metrics concurrently: share one targets() call per scrape.
  let pending: { at: number; value: Promise<Target[]> } | undefined;
  const targets = (): Promise<Target[]> => {
    if (!pending || Date.now() - pending.at > 1000) {
      const value = source.targets().then(
        (r) => r.targets,
        () => [], // the source is down: its health gauge says so
      );
      pending = { at: Date.now(), value };
    }
    return pending.value;
  };
  new Gauge({
    name: 'meshlens_bff_target_up',
    help: '1 when the last scrape of the target succeeded',
    labelNames: ['url'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const t of await targets()) this.set({ url: t.url }, t.health === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'meshlens_bff_target_scrape_duration_seconds',
    help: 'Duration of the last scrape of the target',
    labelNames: ['url'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const t of await targets()) {
        if (t.durationMs !== null) this.set({ url: t.url }, t.durationMs / 1000);
      }
    },
  });
  new Gauge({
    name: 'meshlens_bff_targets',
    help: 'Scrape targets by health',
    labelNames: ['health'] as const,
    registers: [registry],
    async collect() {
      const counts = { up: 0, down: 0, unknown: 0 };
      for (const t of await targets()) counts[t.health] += 1;
      for (const [health, n] of Object.entries(counts)) this.set({ health }, n);
    },
  });
}
