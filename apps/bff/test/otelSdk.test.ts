import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { traceResponseSchema } from '@meshlens/contract';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createFixtureSource } from '../src/fixture/fixtureSource';
import { type OtlpGrpcReceiver, startOtlpGrpc } from '../src/traces/otlpGrpc';
import { type Running, getJson, startBff } from './helpers';

let running: Running | undefined;
let grpc: OtlpGrpcReceiver | undefined;
let provider: NodeTracerProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  await grpc?.close();
  await running?.close();
  running = undefined;
  grpc = undefined;
  provider = undefined;
});

interface Emitted {
  traceId: string;
  rootId: string;
  childId: string;
}

/** Three spans (root, child with error + event, grandchild) through a real SDK pipeline. */
async function emitTrace(exporter: SpanExporter): Promise<Emitted> {
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
  return {
    traceId: root.spanContext().traceId,
    rootId: root.spanContext().spanId,
    childId: child.spanContext().spanId,
  };
}

async function expectWholeTrace(url: string, sent: Emitted): Promise<void> {
  const { status, body } = await getJson(`${url}/api/v1/traces/${sent.traceId}`);
  expect(status).toBe(200);
  const t = traceResponseSchema.parse(body);
  expect(t.summary.spanCount).toBe(3);
  expect(t.summary.rootName).toBe('GET /checkout');
  expect(t.summary.rootService).toBe('sdk-shop');
  expect(t.summary.errorCount).toBe(1);
  const byName = new Map(t.trace.spans.map((s) => [s.name, s]));
  expect(byName.get('SELECT orders')?.parentSpanId).toBe(sent.rootId);
  expect(byName.get('render')?.parentSpanId).toBe(sent.childId);
  expect(byName.get('GET /checkout')?.parentSpanId).toBeUndefined();
  expect(byName.get('SELECT orders')?.attributes).toEqual({ 'db.system': 'postgresql', rows: 3 });
  expect(byName.get('SELECT orders')?.status).toEqual({ code: 'error', message: 'deadlock' });
  expect(byName.get('SELECT orders')?.events.map((e) => [e.name, e.attributes])).toEqual([
    ['cache miss', { key: 'orders:42' }],
  ]);
  expect(byName.get('GET /checkout')?.kind).toBe('internal');
  expect(byName.get('GET /checkout')?.resource?.['service.name']).toBe('sdk-shop');
}

async function startFixtureBff(): Promise<Running> {
  running = await startBff({ source: createFixtureSource({ tickIntervalMs: 0 }) });
  return running;
}

describe('OpenTelemetry Node SDK exporters -> the BFF', () => {
  it('OTLP/HTTP JSON (exporter-trace-otlp-http): the API returns the trace whole', async () => {
    const { url } = await startFixtureBff();
    await expectWholeTrace(url, await emitTrace(new JsonExporter({ url: `${url}/v1/traces` })));
  });

  it('OTLP/HTTP protobuf with gzip (exporter-trace-otlp-proto): the trace comes back whole', async () => {
    const { url } = await startFixtureBff();
    const exporter = new ProtoExporter({
      url: `${url}/v1/traces`,
      compression: CompressionAlgorithm.GZIP,
    });
    await expectWholeTrace(url, await emitTrace(exporter));
  });

  it('OTLP/gRPC (exporter-trace-otlp-grpc) into --otlp-grpc-port: the trace comes back whole', async () => {
    const { url, bff } = await startFixtureBff();
    grpc = await startOtlpGrpc({
      ingest: bff.ingest,
      port: 0,
      address: '127.0.0.1',
      logger: pino({ level: 'silent' }),
    });
    const exporter = new GrpcExporter({
      url: `http://127.0.0.1:${grpc.port}`,
      compression: CompressionAlgorithm.GZIP,
    });
    await expectWholeTrace(url, await emitTrace(exporter));
  });
});
