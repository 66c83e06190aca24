import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { edgesResponseSchema, statResponseSchema, traceResponseSchema } from '@meshlens/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Proc, eventually, startTsx } from './processes';

/**
 * Nothing lost on restart: a BFF process with --data-dir is SIGKILLed right after a snapshot and
 * started again; the same 5-minute window answers the same golden signals. Bad snapshot files
 * are moved aside with a warning naming them, and the BFF starts empty.
 */
const BFF = 'apps/bff/src/main.ts';
const TRACE = 'abcdef0123456789abcdef0123456789';
const procs: Proc[] = [];
const dirs: string[] = [];
let exporter: Server;
let exporterUrl: string;
const t0 = Date.now();

const outbound = 'direction="outbound",dst_namespace="shop",dst_deployment="catalog",tls="true"';
/** A proxy of shop/web: 40 rps in (2 % failing), 20 rps to catalog with latency buckets. */
function exposition(t: number): string {
  const s = (t - t0) / 1000;
  const b = (le: string, share: number) =>
    `response_latency_ms_bucket{${outbound},le="${le}"} ${Math.floor(share * 20 * s)}`;
  return [
    '# TYPE response_total counter',
    `response_total{direction="inbound",classification="success",status_code="200",tls="true"} ${Math.floor(39.2 * s)}`,
    `response_total{direction="inbound",classification="failure",status_code="500",tls="true"} ${Math.floor(0.8 * s)}`,
    `response_total{${outbound},classification="success",status_code="200"} ${Math.floor(20 * s)}`,
    '# TYPE response_latency_ms histogram',
    b('10', 0.5),
    b('100', 0.9),
    b('1000', 1),
    b('+Inf', 1),
    `response_latency_ms_sum{${outbound}} ${Math.floor(300 * s)}`,
    `response_latency_ms_count{${outbound}} ${Math.floor(20 * s)}`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  exporter = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(exposition(Date.now()));
  });
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
  exporterUrl = `http://127.0.0.1:${(exporter.address() as AddressInfo).port}/metrics`;
});

afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
});

afterAll(async () => {
  await new Promise((r) => exporter.close(r));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function json(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

async function newDataDir(): Promise<{ dir: string; config: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bff-persist-'));
  dirs.push(dir);
  const config = path.join(dir, 'bff.yaml');
  await writeFile(
    config,
    [
      'scrape:',
      '  interval: 1s',
      '  workers: 0',
      '  staticConfigs:',
      `    - targets: ['${exporterUrl}']`,
      '      labels: { namespace: shop, deployment: web, pod: web-1 }',
      '',
    ].join('\n'),
  );
  return { dir, config };
}

function startBff(dataDir: string, config: string): Proc {
  const p = startTsx(BFF, [
    ...['--port', '0', '--config', config, '--data-dir', path.join(dataDir, 'data')],
    ...['--snapshot-interval', '2s'],
  ]);
  procs.push(p);
  return p;
}

const countLogs = (p: Proc, msg: string) =>
  p.lines.filter((l) => l.includes(`"msg":"${msg}"`)).length;

async function goldenSignals(url: string, from: number, to: number) {
  const range = `from=${from}&to=${to}`;
  const stat = statResponseSchema.parse(await json(`${url}/api/v1/stat?kind=workload&${range}`));
  const edges = edgesResponseSchema.parse(
    await json(`${url}/api/v1/edges?kind=workload&namespace=shop&name=web&${range}`),
  );
  const web = stat.rows.find((r) => r.name === 'web');
  const edge = edges.edges.find((e) => e.destination.name === 'catalog');
  return {
    rps: web?.rps ?? Number.NaN,
    successRate: web?.successRate ?? Number.NaN,
    edgeRps: edge?.rps ?? Number.NaN,
    edgeP99: edge?.latencyMs.p99 ?? Number.NaN,
  };
}

const within2Percent = (a: number, b: number) => Math.abs(a - b) <= 0.02 * Math.abs(b);

describe('--data-dir', () => {
  it('SIGKILL after a snapshot: the restarted BFF answers the same 5-minute window within 2 %', async () => {
    const { dir, config } = await newDataDir();
    const first = startBff(dir, config);
    const url = String((await first.waitForLog('listening')).url).replace(/\/$/, '');
    const span = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: TRACE,
                  spanId: '0123456789abcdef',
                  name: 'GET /api/items',
                  kind: 2,
                  startTimeUnixNano: `${t0}000000`,
                  endTimeUnixNano: `${t0 + 12}000000`,
                  status: { code: 0 },
                },
              ],
            },
          ],
        },
      ],
    };
    const posted = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(span),
    });
    expect(posted.status).toBe(200);
    // a few rounds of traffic, then the 5-minute window ending now
    const before = await eventually(async () => {
      const to = Date.now();
      const g = await goldenSignals(url, to - 300_000, to);
      const stat = statResponseSchema.parse(await json(`${url}/api/v1/stat?kind=workload`));
      const rounds = stat.rows.find((r) => r.name === 'web')?.requests.success ?? 0;
      return rounds > 150 && g.edgeP99 > 0 ? { to, g } : undefined;
    });
    // the second snapshot after the question surely started after it
    const seen = countLogs(first, 'snapshot written');
    await eventually(() =>
      Promise.resolve(countLogs(first, 'snapshot written') >= seen + 2 ? true : undefined),
    );
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startBff(dir, config);
    const url2 = String((await second.waitForLog('listening')).url).replace(/\/$/, '');
    expect(second.lines.some((l) => l.includes('"msg":"restored telemetry store"'))).toBe(true);
    const after = await goldenSignals(url2, before.to - 300_000, before.to);
    expect(before.g.rps).toBeGreaterThan(0);
    expect(before.g.successRate).toBeCloseTo(0.98, 1);
    for (const k of ['rps', 'successRate', 'edgeRps', 'edgeP99'] as const) {
      expect(within2Percent(after[k], before.g[k]), `${k}: ${after[k]} vs ${before.g[k]}`).toBe(
        true,
      );
    }
    const trace = traceResponseSchema.parse(await json(`${url2}/api/v1/traces/${TRACE}`));
    expect(trace.trace.spans.map((s) => s.name)).toEqual(['GET /api/items']);
  });

  it('moves a truncated and a corrupt snapshot aside with a warning naming each file, and starts empty', async () => {
    const { dir, config } = await newDataDir();
    const data = path.join(dir, 'data');
    const first = startBff(dir, config);
    await first.waitForLog('listening');
    await eventually(() =>
      Promise.resolve(countLogs(first, 'snapshot written') >= 2 ? true : undefined),
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();
    const { readFile } = await import('node:fs/promises');
    const store = path.join(data, 'telemetry.snapshot');
    const traces = path.join(data, 'traces.snapshot');
    const storeBytes = await readFile(store);
    // a flipped byte in the body (a disk error): the checksum catches it
    storeBytes[storeBytes.length - 3] = (storeBytes[storeBytes.length - 3] ?? 0) ^ 0xff;
    await writeFile(store, storeBytes);
    await writeFile(traces, (await readFile(traces)).subarray(0, 10));

    const second = startBff(dir, config);
    const url = String((await second.waitForLog('listening')).url).replace(/\/$/, '');
    const warnings = second.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string; file?: string })
      .filter((l) => l.level === 40);
    expect(warnings.map((w) => w.file).sort()).toEqual([store, traces]);
    expect(warnings.find((w) => w.file === store)?.msg).toContain(
      `snapshot ${store} is unusable (corrupt: the checksum does not match); moved to ${store}.bad-`,
    );
    expect(warnings.find((w) => w.file === traces)?.msg).toContain(
      `snapshot ${traces} is unusable (truncated: 10 bytes, shorter than the header)`,
    );
    const files = await readdir(data);
    expect(files.filter((f) => f.startsWith('telemetry.snapshot.bad-'))).toHaveLength(1);
    expect(files.filter((f) => f.startsWith('traces.snapshot.bad-'))).toHaveLength(1);
    // empty: the first process' traffic (before it was killed) is not there
    const stat = statResponseSchema.parse(
      await json(`${url}/api/v1/stat?kind=workload&from=${t0 - 60_000}&to=${killedAt}`),
    );
    expect(stat.rows.map((r) => r.requests.success + r.requests.failure)).toEqual(
      stat.rows.map(() => 0),
    );
    expect(existsSync(store)).toBe(false);
  });
});
