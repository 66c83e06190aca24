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

describe('load balancing', () => {
  it('spreads requests over all endpoints', async () => {
    ups = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
    proxy = await startProxy({
      discovery: discoveryYaml(ups.map((u) => ({ service: 'reviews', port: u.port }))),
    });
    const replies = await load(300, 6, () => request(proxy!.outbound, { host: 'reviews.shop' }));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    for (const u of ups) expect(u.hits).toBeGreaterThan(30);
    expect(ups.reduce((a, u) => a + u.hits, 0)).toBe(300);
  });

  it('round-robin gives each endpoint the same share', async () => {
    ups = await Promise.all([startUpstream(), startUpstream()]);
    proxy = await startProxy({
      discovery: discoveryYaml(ups.map((u) => ({ service: 'reviews', port: u.port }))),
      args: ['--lb', 'round-robin'],
    });
    await load(100, 1, () => request(proxy!.outbound, { host: 'reviews.shop' }));
    expect(ups.map((u) => u.hits)).toEqual([50, 50]);
  });

  it('avoids a slow endpoint (P2C over peak-EWMA)', async () => {
    const slow = await startUpstream((_req, res) => setTimeout(() => res.end('slow'), 40));
    const fast = await Promise.all([startUpstream(), startUpstream()]);
    ups = [slow, ...fast];
    proxy = await startProxy({
      discovery: discoveryYaml(ups.map((u) => ({ service: 'reviews', port: u.port }))),
    });
    const replies = await load(400, 4, () => request(proxy!.outbound, { host: 'reviews.shop' }));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    // An even spread would give it a third (133); peak-EWMA keeps it to a few probes.
    expect(slow.hits).toBeLessThan(40);
  });
});
