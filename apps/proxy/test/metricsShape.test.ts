import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discoveryYaml,
  proxyDir,
  request,
  startProxy,
  startUpstream,
  type RunningProxy,
  type Upstream,
} from './helpers';

/**
 * The families and series the real proxy exposes after a known request mix, values and
 * exemplars stripped, compared with fixtures recorded from the prom-client build (commit
 * baf98fd) so that replacing the registry changes nothing a scraper sees: names, HELP, TYPE,
 * label names and their order, family order, the blank lines (0.0.4) and `# EOF` (OpenMetrics).
 * `MESHLENS_RECORD_SHAPE=1` rewrites the fixtures (only when the exposition is meant to change).
 */
const fixtures = path.join(proxyDir, 'test', '__fixtures__');
const record = process.env.MESHLENS_RECORD_SHAPE === '1';

/** Sample lines lose their value and exemplar; within a family they are sorted (arrival order varies). */
export function shapeOf(text: string): string {
  const out: string[] = [];
  let samples: string[] = [];
  const flush = () => {
    out.push(...samples.sort());
    samples = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') {
      flush();
      out.push(line);
      continue;
    }
    // the test's label values contain no `}` or space, so the series ends at the first of them
    const end = line.includes('{') ? line.indexOf('}') + 1 : line.indexOf(' ');
    samples.push(line.slice(0, end));
  }
  flush();
  return out.join('\n');
}

let proxy: RunningProxy;
let up: Upstream;

beforeAll(async () => {
  up = await startUpstream((req, res) => {
    res.statusCode = Number(req.url?.slice(1)) || 200;
    res.end('x');
  });
  proxy = await startProxy({
    discovery: discoveryYaml(
      [{ service: 'reviews', port: up.port, pod: 'reviews-1', workload: 'reviews-v1' }],
      { 'reviews.shop': { retryOnStatuses: [503], maxRetries: 1 } },
    ),
    args: ['--app-port', String(up.port)],
  });
  for (const p of ['/200', '/404', '/500', '/503'])
    await request(proxy.outbound, { host: 'reviews.shop', path: p });
  await request(proxy.outbound, { host: 'nowhere.shop' });
  for (const p of ['/200', '/503']) await request(proxy.inbound, { host: 'reviews.shop', path: p });
});

afterAll(async () => {
  await proxy?.stop();
  await up?.close();
});

describe('the /metrics exposition keeps its shape', () => {
  for (const [format, accept, file] of [
    ['Prometheus text 0.0.4', 'text/plain', 'metrics-shape.prom.txt'],
    ['OpenMetrics 1.0', 'application/openmetrics-text; version=1.0.0', 'metrics-shape.om.txt'],
  ] as const) {
    it(`${format}: same families, series and label order as the prom-client build`, async () => {
      const res = await request(proxy.admin, { path: '/metrics', headers: { accept } });
      const shape = shapeOf(res.body);
      const fixture = path.join(fixtures, file);
      if (record) writeFileSync(fixture, shape);
      expect(shape).toBe(readFileSync(fixture, 'utf8'));
    });
  }
});
