import type { TraceSource, TraceSourceStatus } from '@meshlens/telemetry';
import type { TraceStore } from './store';

/** The BFF's own bounded store (what OTLP/Zipkin ingest writes to) behind the TraceSource API. */
export function createMemoryTraceSource(store: TraceStore, now: () => number): TraceSource {
  const status = (): TraceSourceStatus => ({
    kind: 'memory',
    url: null,
    healthy: true,
    lastError: null,
    lastCheckMs: now(),
  });
  return {
    kind: 'memory',
    search: (q) => Promise.resolve(store.search(q)),
    trace: (traceId) => Promise.resolve(store.get(traceId)),
    services: () => Promise.resolve(store.services()),
    operations: (service) => Promise.resolve(store.operations(service)),
    check: () => Promise.resolve(status()),
    status,
    close: () => undefined,
  };
}
