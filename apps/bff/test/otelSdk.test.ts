import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { traceResponseSchema } from '@meshlens/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createFixtureSource } from '../src/fixture/fixtureSource';
import { type Running, getJson, startBff } from './helpers';

let running: Running | undefined;
let provider: NodeTracerProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  await running?.close();
  running = undefined;
  provider = undefined;
});

describe('OpenTelemetry Node SDK -> /v1/traces', () => {
  it('produces a trace the API returns whole', async () => {
    running = await startBff({ source: createFixtureSource({ tickIntervalMs: 0 }) });
    const exporter = new OTLPTraceExporter({ url: `${running.url}/v1/traces` });
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'sdk-shop' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('meshlens-test');
    const root = tracer.startSpan('GET /checkout', {
      attributes: { 'http.request.method': 'GET' },
    });
    const ctx = trace.setSpan(context.active(), root);
    const child = tracer.startSpan(
      'SELECT orders',
      { attributes: { 'db.system': 'postgresql', rows: 3 } },
      ctx,
    );
    child.addEvent('cache miss', { key: 'orders:42' });
    child.setStatus({ code: 2, message: 'deadlock' });
    child.end();
    const grandchild = tracer.startSpan('render', {}, trace.setSpan(ctx, child));
    grandchild.end();
    root.end();
    await provider.forceFlush();

    const traceId = root.spanContext().traceId;
    const { status, body } = await getJson(`${running.url}/api/v1/traces/${traceId}`);
    expect(status).toBe(200);
    const t = traceResponseSchema.parse(body);
    expect(t.summary.spanCount).toBe(3);
    expect(t.summary.rootName).toBe('GET /checkout');
    expect(t.summary.rootService).toBe('sdk-shop');
    expect(t.summary.errorCount).toBe(1);
    const byName = new Map(t.trace.spans.map((s) => [s.name, s]));
    expect(byName.get('SELECT orders')?.parentSpanId).toBe(root.spanContext().spanId);
    expect(byName.get('render')?.parentSpanId).toBe(child.spanContext().spanId);
    expect(byName.get('SELECT orders')?.attributes).toEqual({ 'db.system': 'postgresql', rows: 3 });
    expect(byName.get('SELECT orders')?.status).toEqual({ code: 'error', message: 'deadlock' });
    expect(byName.get('SELECT orders')?.events.map((e) => [e.name, e.attributes])).toEqual([
      ['cache miss', { key: 'orders:42' }],
    ]);
    expect(byName.get('GET /checkout')?.kind).toBe('internal');
    expect(byName.get('GET /checkout')?.resource?.['service.name']).toBe('sdk-shop');
  });
});
