import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseExposition, type MetricFamily } from '@meshlens/prom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS } from '../src/metrics';
import {
  discoveryYaml,
  request,
  startProxy,
  startUpstream,
  tempDir,
  type RunningProxy,
  type Upstream,
} from './helpers';

let proxy: RunningProxy;
let up: Upstream;
let text: string;
let families: MetricFamily[];

/** Sum of a family's samples named `name` whose labels include `match`. */
function sum(name: string, match: Record<string, string>): number {
  let total = 0;
  for (const f of families) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
  }
  return total;
}

beforeAll(async () => {
  up = await startUpstream((req, res) => {
    res.statusCode = Number(req.url?.slice(1)) || 200;
    res.end('x');
  });
  proxy = await startProxy({
    discovery: discoveryYaml([
      { service: 'reviews', port: up.port, pod: 'reviews-1', workload: 'reviews-v1' },
    ]),
    args: ['--app-port', String(up.port)],
  });
  const mix = [
    ...Array<string>(5).fill('/200'),
    ...Array<string>(3).fill('/404'),
    ...Array<string>(2).fill('/500'),
  ];
  for (const p of mix) await request(proxy.outbound, { host: 'reviews.shop', path: p });
  await request(proxy.outbound, { host: 'nowhere.shop' });
  for (const p of ['/200', '/200', '/503'])
    await request(proxy.inbound, { host: 'reviews.shop', path: p });
  text = (await request(proxy.admin, { path: '/metrics' })).body;
  families = parseExposition(text);
});

afterAll(async () => {
  await proxy.stop();
  await up.close();
});

describe('metrics after a known request mix', () => {
  const out = { direction: 'outbound', dst_service: 'reviews', dst_namespace: 'shop' };

  it('counts requests and responses exactly, 5xx as failure and 4xx as success', () => {
    expect(sum('request_total', out)).toBe(10);
    // no HTTPRoute configured: every outbound request is on the `default` route, no rule
    expect(sum('request_total', { ...out, route_name: 'default' })).toBe(10);
    expect(text).not.toContain('route_rule=');
    expect(sum('response_total', { ...out, status_code: '200', classification: 'success' })).toBe(
      5,
    );
    expect(sum('response_total', { ...out, status_code: '404', classification: 'success' })).toBe(
      3,
    );
    expect(sum('response_total', { ...out, status_code: '500', classification: 'failure' })).toBe(
      2,
    );
    expect(
      sum('response_total', { ...out, dst_pod: 'reviews-1', dst_deployment: 'reviews-v1' }),
    ).toBe(10);
    expect(
      sum('response_total', {
        direction: 'outbound',
        authority: 'nowhere.shop',
        status_code: '503',
        error: 'no-endpoints',
      }),
    ).toBe(1);
    expect(sum('request_total', { direction: 'inbound', tls: 'no_identity' })).toBe(3);
    expect(
      sum('response_total', {
        direction: 'inbound',
        classification: 'failure',
        status_code: '503',
      }),
    ).toBe(1);
  });

  it('has a latency histogram with Linkerd buckets and one count per response', () => {
    const fam = families.find((f) => f.name === 'response_latency_ms');
    expect(fam?.type).toBe('histogram');
    const les = fam!.samples
      .filter(
        (s) =>
          s.name === 'response_latency_ms_bucket' &&
          s.labels.status_code === '404' &&
          s.labels.direction === 'outbound',
      )
      .map((s) => (s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)));
    expect(les).toEqual([...LATENCY_BUCKETS_MS, Infinity]);
    expect(sum('response_latency_ms_count', out)).toBe(10);
    expect(sum('response_latency_ms_bucket', { ...out, le: '+Inf' })).toBe(10);
  });

  it('counts tcp connections', () => {
    expect(
      sum('tcp_open_total', { direction: 'outbound', peer: 'dst', dst_service: 'reviews' }),
    ).toBe(1);
    expect(sum('tcp_open_connections', { direction: 'outbound', peer: 'dst' })).toBe(1);
    expect(sum('tcp_write_bytes_total', { direction: 'outbound', peer: 'dst' })).toBeGreaterThan(0);
    expect(sum('tcp_read_bytes_total', { direction: 'outbound', peer: 'src' })).toBeGreaterThan(0);
  });

  it('reports its memory: RSS, and the V8 heap used within the heap total, in bytes', () => {
    const gauge = (name: string) => {
      const f = families.find((x) => x.name === name);
      expect(f?.type).toBe('gauge');
      return f?.samples[0]?.value ?? Number.NaN;
    };
    const rss = gauge('process_resident_memory_bytes');
    const used = gauge('nodejs_heap_size_used_bytes');
    const total = gauge('nodejs_heap_size_total_bytes');
    expect(used).toBeGreaterThan(1024 * 1024);
    expect(used).toBeLessThanOrEqual(total);
    expect(total).toBeLessThan(rss);
    expect(gauge('nodejs_external_memory_bytes')).toBeGreaterThan(0);
  });

  it('serves OpenMetrics with trace-id exemplars on latency buckets', async () => {
    const om = await request(proxy.admin, {
      path: '/metrics',
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(om.headers['content-type']).toContain('application/openmetrics-text');
    const fams = parseExposition(om.body, { contentType: om.headers['content-type'] ?? '' });
    const buckets = fams
      .find((f) => f.name === 'response_latency_ms')!
      .samples.filter((s) => s.exemplar !== undefined);
    expect(buckets.length).toBeGreaterThan(0);
    expect(buckets[0]!.exemplar!.labels.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(fams.find((f) => f.name === 'request')?.type).toBe('counter');
    // The plain text format stays intact after an OpenMetrics render.
    const again = parseExposition((await request(proxy.admin, { path: '/metrics' })).body);
    expect(again.find((f) => f.name === 'request_total')?.type).toBe('counter');
  });

  it("counts under an endpoint's new labels once discovery describes it anew", async () => {
    // Same address and port, new pod and workload (a relabel, or a pod replaced at the same IP):
    // the proxy's per-endpoint labels are made once per description, not kept from the first.
    writeFileSync(
      proxy.discoveryFile,
      discoveryYaml([
        { service: 'reviews', port: up.port, pod: 'reviews-2', workload: 'reviews-v2' },
      ]),
    );
    await proxy.discovery.reload();
    await request(proxy.outbound, { host: 'reviews.shop', path: '/200' });
    await request(proxy.outbound, { host: 'reviews.shop', path: '/500' });
    const after = parseExposition((await request(proxy.admin, { path: '/metrics' })).body);
    const count = (name: string, match: Record<string, string>) =>
      after
        .flatMap((f) => f.samples)
        .filter((s) => s.name === name)
        .filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))
        .reduce((n, s) => n + s.value, 0);
    const v2 = { ...out, dst_pod: 'reviews-2', dst_deployment: 'reviews-v2' };
    expect(count('request_total', v2)).toBe(2);
    expect(count('response_total', { ...v2, classification: 'failure', status_code: '500' })).toBe(
      1,
    );
    // the first description's series keep their counts
    expect(count('request_total', { ...out, dst_pod: 'reviews-1' })).toBe(10);
  });

  it('passes promtool check metrics without parse errors', () => {
    const promtool = '/usr/bin/promtool';
    if (!existsSync(promtool)) {
      throw new Error(
        `${promtool} is missing: install Prometheus' promtool (apt install prometheus)`,
      );
    }
    const file = path.join(tempDir(), 'metrics.txt');
    writeFileSync(file, text);
    let output = '';
    try {
      execFileSync('sh', ['-c', `${promtool} check metrics < ${file}`], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      // Lint findings (e.g. the `_ms` unit Linkerd uses) exit non-zero; parse errors are what matter.
      output = `${String((err as { stdout?: string }).stdout)}${String((err as { stderr?: string }).stderr)}`;
    }
    const problems = output
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.includes('abbreviated units'));
    expect(problems).toEqual([]);
  });
});
