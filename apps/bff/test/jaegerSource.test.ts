import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  diagnosisResponseSchema,
  errorResponseSchema,
  statusResponseSchema,
  traceNamesResponseSchema,
  traceResponseSchema,
  tracesResponseSchema,
} from '@meshlens/contract';
import { createJaegerSource, type TraceSource } from '@meshlens/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { createFixtureSource } from '../src/fixture/fixtureSource';
import { type Running, getJson, startBff } from './helpers';
import { type ReplayServer, type Reply, type Seen, startReplay, testdataDir } from './replayServer';

/*
 * The Jaeger source against recorded Jaeger query-service answers
 * (../shared/testdata/traces/jaeger): a local server checks what the BFF asked (parameters,
 * microseconds, duration strings) and replies with the recorded body; the BFF's API must return
 * every span with its service, parent and timing.
 */

const dir = testdataDir();
const jaeger = (f: string) => readFileSync(path.join(dir ?? '', 'traces/jaeger', f), 'utf8');
const envelope = (...traces: string[]) =>
  `{"data":[${traces.join(',')}],"total":0,"limit":0,"offset":0,"errors":null}`;

const PETCLINIC = '4766f1209f70a5e2e55417fc296fd101';
const FROM = 1579070000000;
const TO = 1579071000000;

let backend: ReplayServer | undefined;
let bff: Running | undefined;
let traceSource: TraceSource | undefined;
afterEach(async () => {
  await bff?.close();
  traceSource?.close();
  await backend?.close();
  bff = backend = traceSource = undefined;
});

async function start(route: (req: Seen) => Reply, opts: { timeoutMs?: number } = {}) {
  backend = await startReplay(route);
  traceSource = createJaegerSource({ url: `${backend.url}/jaeger`, ...opts });
  bff = await startBff({
    source: createFixtureSource({ tickIntervalMs: 0 }),
    traceSource,
  });
  return bff.url;
}

function params(q: URLSearchParams): Record<string, string> {
  return Object.fromEntries(q.entries());
}

describe.runIf(dir)('jaeger trace source (recorded responses)', () => {
  it('searches with the filters in Jaeger units and summarizes the recorded trace', async () => {
    const url = await start((req) => {
      expect(req.path).toBe('/jaeger/api/traces');
      expect(params(req.query)).toEqual({
        service: 'api-gateway',
        operation: 'GET /api/customer/owners/8/pets/10',
        tags: '{"http.method":"GET","span.kind":"server"}',
        start: String(FROM * 1000), // microseconds
        end: String(TO * 1000),
        minDuration: '1500us',
        maxDuration: '10000us',
        limit: '20',
      });
      return { body: envelope(jaeger('jaeger-ui-testTraceNormal.json')) };
    });
    const q = new URLSearchParams({
      service: 'api-gateway',
      operation: 'GET /api/customer/owners/8/pets/10',
      tags: '{"span.kind":"server","http.method":"GET"}',
      minDurationMs: '1.5',
      maxDurationMs: '10',
      from: String(FROM),
      to: String(TO),
    });
    const { status, body } = await getJson(`${url}/api/v1/traces?${q.toString()}`);
    expect({ status, body: status === 200 ? 'ok' : body }).toEqual({ status: 200, body: 'ok' });
    expect(tracesResponseSchema.parse(body).traces).toEqual([
      {
        traceId: PETCLINIC,
        rootService: 'api-gateway',
        rootName: 'GET /api/customer/owners/8/pets/10',
        startMs: 1579070675083,
        durationMs: 4.902,
        spanCount: 5,
        services: ['api-gateway', 'customers-service'],
        errorCount: 0,
      },
    ]);
    expect(backend?.seen).toHaveLength(1);
  });

  it('returns every span of a trace with service, parent, kind and timing', async () => {
    const url = await start((req) => {
      expect(req.path).toBe(`/jaeger/api/traces/${PETCLINIC}`);
      return { body: envelope(jaeger('jaeger-ui-testTraceNormal.json')) };
    });
    const { status, body } = await getJson(`${url}/api/v1/traces/${PETCLINIC}`);
    expect(status).toBe(200);
    const t = traceResponseSchema.parse(body);
    expect(
      t.trace.spans.map((s) => [
        s.spanId,
        s.parentSpanId,
        s.service,
        s.kind,
        s.startMs,
        s.durationMs,
      ]),
    ).toEqual([
      ['150c193cf155b46b', undefined, 'api-gateway', 'server', 1579070675083, 4.902],
      ['22be69e72cbcde0b', '150c193cf155b46b', 'api-gateway', 'client', 1579070675083.82, 2.499],
      [
        'e821b549888cbc3b',
        '22be69e72cbcde0b',
        'customers-service',
        'server',
        1579070675084.2,
        1.739,
      ],
      [
        '4085dddb47429851',
        'e821b549888cbc3b',
        'customers-service',
        'unspecified',
        1579070675085.059,
        0.021,
      ],
      [
        '622a5079b565623e',
        'e821b549888cbc3b',
        'customers-service',
        'unspecified',
        1579070675085.84,
        0.052,
      ],
    ]);
    expect(t.trace.spans[3]?.attributes).toEqual({
      database: 'jdbc:hsqldb:mem:testdb',
      sql: 'select * from test',
    });
    expect(t.trace.spans[0]?.resource).toEqual({ 'service.name': 'api-gateway' });
  });

  it('maps 64-bit ids, typed tags, logs, foreign references and error=true (ui_01)', async () => {
    const url = await start((req) => {
      // the padded 32-digit form names the same 64-bit trace in Jaeger
      expect(req.path).toBe('/jaeger/api/traces/00000000000000000000000000000001');
      return { body: envelope(jaeger('ui_01.json')) };
    });
    const { status, body } = await getJson(`${url}/api/v1/traces/00000000000000000000000000000001`);
    expect(status).toBe(200);
    const t = traceResponseSchema.parse(body);
    expect(t.summary).toMatchObject({ spanCount: 5, errorCount: 1, rootService: 'service-x' });
    expect(
      t.trace.spans.map((s) => [s.spanId, s.parentSpanId ?? null, s.service, s.status.code]),
    ).toEqual([
      ['0000000000000002', null, 'service-x', 'unset'],
      ['0000000000000002', null, 'service-x', 'error'],
      ['0000000000000003', '0000000000000002', 'service-y', 'unset'],
      // its first CHILD_OF points into another trace (00ff): the parent is the one in this trace
      ['0000000000000004', '0000000000000002', 'service-y', 'unset'],
      ['0000000000000005', '0000000000000004', 'service-y', 'unset'],
    ]);
    expect(t.trace.spans[1]?.attributes).toEqual({
      'peer.service': 'service-y',
      'peer.ipv4': 23456,
      error: true,
      temperature: 72.5,
      javascript_limit: '9223372036854775222', // beyond 2^53: kept exact as a string
      blob: 'AAAwOQ==',
    });
    expect(t.trace.spans[0]?.events).toEqual([
      { name: 'some-event', timeMs: 1485467191639.875, attributes: {} },
      { name: 'log', timeMs: 1485467191639.875, attributes: { x: 'y' } },
    ]);
  });

  it('searches every service when none is given, and lists services and operations', async () => {
    const url = await start((req) => {
      if (req.path === '/jaeger/api/services')
        return { body: '{"data":["api-gateway","customers-service"],"total":2}' };
      if (req.path === '/jaeger/api/services/customers-service/operations')
        return {
          body: '{"data":["GET /owners/8/pets/10","HikariProxyPreparedStatement.executeQuery"]}',
        };
      expect(req.path).toBe('/jaeger/api/traces');
      expect(['api-gateway', 'customers-service']).toContain(req.query.get('service'));
      return { body: envelope(jaeger('jaeger-ui-testTraceNormal.json')) };
    });
    const search = tracesResponseSchema.parse(
      (await getJson(`${url}/api/v1/traces?from=${FROM}&to=${TO}`)).body,
    );
    // the same trace from both services is listed once
    expect(search.traces.map((t) => t.traceId)).toEqual([PETCLINIC]);
    const services = traceNamesResponseSchema.parse(
      (await getJson(`${url}/api/v1/traces/services`)).body,
    );
    expect(services.names).toEqual(['api-gateway', 'customers-service']);
    const ops = traceNamesResponseSchema.parse(
      (await getJson(`${url}/api/v1/traces/services/customers-service/operations`)).body,
    );
    expect(ops.names).toEqual([
      'GET /owners/8/pets/10',
      'HikariProxyPreparedStatement.executeQuery',
    ]);
  });

  it('says which backend failed and how: 401, 404, timeout, unreachable', async () => {
    const url = await start(
      (req) => {
        if (req.path.endsWith('/api/traces/0000000000000000000000000000abcd'))
          return {
            status: 404,
            body: '{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}',
          };
        if (req.query.get('service') === 'slow') return { hang: true };
        return { status: 401, body: 'Unauthorized' };
      },
      { timeoutMs: 300 },
    );
    const base = `${backend?.url}/jaeger`;
    const denied = await getJson(`${url}/api/v1/traces?service=web`);
    expect(denied.status).toBe(502);
    expect(errorResponseSchema.parse(denied.body).error).toEqual({
      code: 'backend_error',
      message: `jaeger at ${base}: 401 Unauthorized`,
    });
    const missing = await getJson(
      `${url}/api/v1/traces/abcd`.replace('abcd', '0'.repeat(28) + 'abcd'),
    );
    expect(missing.status).toBe(404);
    expect(errorResponseSchema.parse(missing.body).error.message).toBe(
      'trace 0000000000000000000000000000abcd not found in jaeger',
    );
    const slow = await getJson(`${url}/api/v1/traces?service=slow`);
    expect(errorResponseSchema.parse(slow.body).error.message).toBe(
      `jaeger at ${base}: timeout after 300 ms`,
    );
    const diagnosis = diagnosisResponseSchema.parse(
      (await getJson(`${url}/api/v1/diagnosis`)).body,
    );
    expect(diagnosis.sources.find((s) => s.role === 'traces')).toMatchObject({
      kind: 'jaeger',
      url: base,
      healthy: false,
      error: `jaeger at ${base}: 401 Unauthorized`,
    });
    const status = statusResponseSchema.parse((await getJson(`${url}/api/v1/status`)).body);
    expect(status.errors).toContainEqual({
      component: 'traces:jaeger',
      message: `jaeger at ${base}: 401 Unauthorized`,
    });
    await backend?.close();
    const gone = await getJson(`${url}/api/v1/traces?service=web`);
    expect(gone.status).toBe(502);
    expect(errorResponseSchema.parse(gone.body).error.message).toBe(
      `jaeger at ${base}: unreachable (ECONNREFUSED)`,
    );
  });
});
