import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusSource, promString } from '../src/index';
import { serve, unusedPort, type TestServer } from './helpers/servers';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('prometheus source errors', () => {
  it('names an unreachable server', async () => {
    const url = `http://127.0.0.1:${await unusedPort()}`;
    const source = createPrometheusSource({ url, dialect: 'linkerd' });
    await expect(source.stat({ kind: 'workload', window: '1m' })).rejects.toThrow(
      `prometheus at ${url}: unreachable (ECONNREFUSED)`,
    );
    await source.start();
    expect(source.status()).toMatchObject({ kind: 'prometheus', healthy: false });
    await source.stop();
  });

  it("passes on Prometheus' own error and type (HTTP 400 bad_data)", async () => {
    const s = await serve((_req, res) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }),
      );
    });
    servers.push(s);
    const source = createPrometheusSource({ url: s.url, dialect: 'istio' });
    await expect(source.edges({ kind: 'workload', window: '5m' })).rejects.toThrow(
      `prometheus at ${s.url}: query failed (bad_data): parse error at char 5`,
    );
  });

  it('gives up after the timeout', async () => {
    const s = await serve(() => undefined);
    servers.push(s);
    const source = createPrometheusSource({ url: s.url, dialect: 'linkerd', timeoutMs: 200 });
    await expect(source.namespaces()).rejects.toThrow(
      `prometheus at ${s.url}: timeout after 200 ms`,
    );
  });

  it('escapes untrusted label values in PromQL string literals', () => {
    expect(promString('a"b\\c\nd\u0001')).toBe('"a\\"b\\\\c\\nd\\x01"');
    expect(promString('héllo')).toBe('"héllo"');
  });
});
