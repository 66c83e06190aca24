import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  diagnosisResponseSchema,
  errorResponseSchema,
  statusResponseSchema,
} from '@meshlens/contract';
import { createPrometheusSource } from '@meshlens/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { type Running, getJson, startBff } from './helpers';
import { eventually } from './processes';

let running: Running | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  for (const stop of stops.splice(0)) await stop();
});

/** A port nothing listens on: bind, note it, close. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('prometheus source unreachable', () => {
  it('answers 503 without internals and reports the reason in /api/v1/status', async () => {
    const source = createPrometheusSource({
      url: `http://127.0.0.1:${await deadPort()}`,
      refreshIntervalMs: 200,
    });
    await source.start();
    stops.push(() => source.stop());
    running = await startBff({ source });
    const url = running.url;
    const { status, body } = await getJson(`${url}/api/v1/stat`);
    expect(status).toBe(503);
    expect(errorResponseSchema.parse(body).error).toEqual({
      code: 'unavailable',
      message: 'the telemetry source cannot answer right now; see /api/v1/status',
    });
    const st = await eventually(async () => {
      const s = statusResponseSchema.parse((await getJson(`${url}/api/v1/status`)).body);
      return s.source.lastError !== null ? s : undefined;
    });
    expect(st.stale).toBe(true);
    expect(st.source.healthy).toBe(false);
    expect(st.errors[0]?.component).toBe('source:prometheus');
    // the mesh-health page's diagnosis names the backend and how it failed
    const d = diagnosisResponseSchema.parse((await getJson(`${url}/api/v1/diagnosis`)).body);
    expect(d.sources).toEqual([
      {
        role: 'metrics',
        kind: 'prometheus',
        url: source.url,
        healthy: false,
        error: `prometheus at ${source.url}: unreachable (ECONNREFUSED)`,
        dialect: null,
        families: [],
        queries: [],
        hints: [],
      },
      {
        role: 'traces',
        kind: 'memory',
        url: null,
        healthy: true,
        error: null,
        dialect: null,
        families: [],
        queries: [],
        hints: [
          'Traces are kept in the dashboard’s memory (OTLP and Zipkin ingest); they are lost on restart.',
        ],
      },
    ]);
  });
});
