import { afterEach, describe, expect, it } from 'vitest';
import {
  discoveryYaml,
  load,
  request,
  startProxy,
  startUpstream,
  type RunningProxy,
  type Upstream,
} from './helpers';

let proxy: RunningProxy | undefined;
let ups: Upstream[] = [];

afterEach(async () => {
  await proxy?.stop();
  await Promise.all(ups.map((u) => u.close()));
  proxy = undefined;
  ups = [];
});

async function metricValue(proxyAdmin: number, name: string, labelMatch: string): Promise<number> {
  const text = (await request(proxyAdmin, { path: '/metrics' })).body;
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labelMatch))
      total += Number(line.split(' ').pop());
  }
  return total;
}

describe('retries and ejection', () => {
  it('ejects an endpoint killed mid-load and no GET fails', async () => {
    ups = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
    proxy = await startProxy({
      discovery: discoveryYaml(ups.map((u) => ({ service: 'reviews', port: u.port }))),
    });
    const victim = ups[1]!;
    const statuses = await load(600, 6, async (i) => {
      if (i === 200) await victim.close();
      return (await request(proxy!.outbound, { host: 'reviews.shop' })).status;
    });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(
      await metricValue(
        proxy.admin,
        'meshlens_proxy_lb_ejections_total',
        `dst_pod="reviews-${victim.port}"`,
      ),
    ).toBeGreaterThanOrEqual(1);
    const hitsAfterKill = victim.hits;
    await load(100, 4, () => request(proxy!.outbound, { host: 'reviews.shop' }));
    expect(victim.hits).toBe(hitsAfterKill);
  });

  it('retries a GET on a configured status but never a POST', async () => {
    const failing = await startUpstream((_req, res) => {
      res.statusCode = 503;
      res.end('busy');
    });
    ups = [failing];
    proxy = await startProxy({
      discovery: discoveryYaml([{ service: 'reviews', port: failing.port }], {
        'reviews.shop': { retryOnStatuses: [503], maxRetries: 2 },
      }),
    });
    const get = await request(proxy.outbound, { host: 'reviews.shop' });
    expect(get.status).toBe(503);
    expect(failing.hits).toBe(3);
    const post = await request(proxy.outbound, {
      host: 'reviews.shop',
      method: 'POST',
      body: 'order=1',
    });
    expect(post.status).toBe(503);
    expect(failing.hits).toBe(4);
    expect(await metricValue(proxy.admin, 'meshlens_proxy_retries_total', 'reason="status"')).toBe(
      2,
    );
    expect(
      await metricValue(proxy.admin, 'meshlens_proxy_retries_skipped_total', 'reason="unsafe"'),
    ).toBe(1);
  });

  it('retries a GET on another endpoint after a refused connection, a POST gets 502', async () => {
    const alive = await startUpstream();
    const dead = await startUpstream();
    const deadPort = dead.port;
    await dead.close();
    ups = [alive];
    proxy = await startProxy({
      discovery: discoveryYaml([
        { service: 'reviews', port: deadPort },
        { service: 'reviews', port: alive.port },
      ]),
      args: ['--lb', 'round-robin'],
    });
    const replies = await load(4, 1, () => request(proxy!.outbound, { host: 'reviews.shop' }));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const solo = await startProxy({
      discovery: discoveryYaml([{ service: 'reviews', port: deadPort }]),
    });
    try {
      const post = await request(solo.outbound, {
        host: 'reviews.shop',
        method: 'POST',
        body: 'x',
      });
      expect(post.status).toBe(502);
      expect(post.headers['x-meshlens-proxy-error']).toBe('connect-failed');
      expect(await metricValue(solo.admin, 'meshlens_proxy_retries_total', 'reason=')).toBe(0);
    } finally {
      await solo.stop();
    }
  });
});

describe('timeouts', () => {
  it('answers 504 when the upstream is slower than the destination timeout', async () => {
    const slow = await startUpstream((_req, res) => setTimeout(() => res.end('late'), 1500));
    ups = [slow];
    proxy = await startProxy({
      discovery: discoveryYaml([{ service: 'reviews', port: slow.port }], {
        'reviews.shop': { timeoutMs: 100 },
      }),
    });
    const t0 = Date.now();
    const reply = await request(proxy.outbound, { host: 'reviews.shop' });
    expect(reply.status).toBe(504);
    expect(reply.headers['x-meshlens-proxy-error']).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(1400);
  });

  it('applies --default-timeout-ms on inbound and outbound', async () => {
    const slow = await startUpstream((_req, res) => setTimeout(() => res.end('late'), 1500));
    ups = [slow];
    proxy = await startProxy({
      discovery: discoveryYaml([{ service: 'reviews', port: slow.port }]),
      args: ['--default-timeout-ms', '100', '--app-port', String(slow.port)],
    });
    const out = await request(proxy.outbound, { host: 'reviews.shop' });
    const inb = await request(proxy.inbound, { host: 'reviews.shop' });
    expect([out.status, inb.status]).toEqual([504, 504]);
    expect(inb.headers['x-meshlens-proxy-error']).toBe('timeout');
  });
});
