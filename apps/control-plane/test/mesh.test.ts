import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createControlPlaneClient } from '@meshlens/cp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers';
import { AUTHZ, MESH_POLICY, routes } from './fixtures';
import {
  createCleanup,
  get,
  load,
  startApp,
  startCp,
  startProxy,
  versionOf,
  expectVersion,
  type App,
  type Proxy,
  type Reply,
  type RunningCp,
} from './mesh';

/**
 * Real processes: the control plane, two reviews proxies (v1, v2; strict mTLS) in front of two
 * apps, and two caller proxies (frontend may call reviews, batch may not). The test sends plain
 * HTTP to a caller proxy's outbound port, as a local app would.
 */
const cleanup = createCleanup();
let cp: RunningCp;
let v1: App;
let v2: App;
let reviewsV1: Proxy;
let frontend: Proxy;
let batch: Proxy;

const toReviews = (path = '/', headers: Record<string, string> = {}) =>
  get(frontend.outbound, { host: 'reviews.shop', path, headers });

beforeAll(async () => {
  cp = await startCp(cleanup, {
    files: { 'mesh.yaml': MESH_POLICY, 'routes.yaml': routes(), 'authz.yaml': AUTHZ },
  });
  [v1, v2] = await Promise.all([startApp(cleanup, 'v1'), startApp(cleanup, 'v2')]);
  const common = { cp, service: 'reviews', sa: 'reviews', tlsMode: 'strict' };
  [reviewsV1] = await Promise.all([
    startProxy(cleanup, { ...common, version: 'v1', appPort: v1.port }),
    startProxy(cleanup, { ...common, version: 'v2', appPort: v2.port }),
  ]);
  [frontend, batch] = await Promise.all([
    startProxy(cleanup, { cp, service: 'frontend', sa: 'frontend' }),
    startProxy(cleanup, { cp, service: 'batch', sa: 'batch' }),
  ]);
  // Ready when the caller has the config (header rule -> v2, split adds x-canary) and both versions.
  await waitFor(
    'v2 by header',
    async () => expectVersion(await toReviews('/', { 'x-api-version': '2' }), 'v2'),
    30_000,
  );
  await waitFor(
    'v1 via split',
    async () => {
      const r = await toReviews();
      return (
        r.status === 200 &&
        versionOf(r) === 'v1' &&
        (JSON.parse(r.body) as { canary: unknown }).canary === 'true'
      );
    },
    30_000,
  );
});
afterAll(() => cleanup.run());

describe('routing', () => {
  it('splits 90/10 over 2,000 requests within tolerance', async () => {
    const replies = await load(2000, 20, () => toReviews('/'));
    const counts: Record<string, number> = {};
    for (const r of replies) counts[versionOf(r)] = (counts[versionOf(r)] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual(['v1', 'v2']);
    expect((counts['v1'] ?? 0) + (counts['v2'] ?? 0)).toBe(2000);
    // v2 ~ Binomial(2000, 0.1): mean 200, sd 13.4. +-70 is 5.2 sd: a correct proxy fails this
    // with probability ~2e-7 (two-sided normal tail), below the 1e-6 budget.
    expect(counts['v2']).toBeGreaterThanOrEqual(130);
    expect(counts['v2']).toBeLessThanOrEqual(270);
    // RequestHeaderModifier of the split rule reached the app on every request.
    expect(
      replies.every(
        (r) =>
          !(r instanceof Error) && (JSON.parse(r.body) as { canary: unknown }).canary === 'true',
      ),
    ).toBe(true);
  });

  it('routes "x-api-version: 2" to v2 every time', async () => {
    const replies = await load(100, 10, () => toReviews('/', { 'x-api-version': '2' }));
    expect(replies.map(versionOf)).toEqual(Array.from({ length: 100 }, () => 'v2'));
  });

  it('injects aborts and delays into their configured share of requests', async () => {
    const replies = await load(600, 30, () => toReviews('/faulty/item'));
    const done = replies.filter((r): r is Reply => !(r instanceof Error));
    const ok = done.filter((r) => r.status === 200);
    const aborted = done.filter(
      (r) => r.status === 503 && r.headers['x-meshlens-proxy-error'] === 'fault-injected',
    ).length;
    expect(ok.length + aborted).toBe(600);
    // aborted ~ Binomial(600, 0.2): mean 120, sd 9.8; +-51 is 5.2 sd (false failure ~2e-7).
    expect(aborted).toBeGreaterThanOrEqual(69);
    expect(aborted).toBeLessThanOrEqual(171);
    // The proxy aborts before it delays, so the delay hits 20 % of the requests that were not
    // aborted: delayed ~ Binomial(ok, 0.2), same 5.2 sd tolerance. The fault delay is 3 s so
    // that no undelayed loopback request gets near it, even on a busy machine.
    const delayed = ok.filter((r) => r.ms >= 3000).length;
    const sd = Math.sqrt(ok.length * 0.2 * 0.8);
    expect(Math.abs(delayed - 0.2 * ok.length)).toBeLessThanOrEqual(5.2 * sd);
  });
});

describe('authorization and mTLS', () => {
  it('answers 200 to an allowed caller and 403 with the reason to a denied one', async () => {
    const allowed = await toReviews('/');
    expect(allowed.status).toBe(200);
    const denied = await get(batch.outbound, { host: 'reviews.shop', path: '/' });
    expect(denied.status).toBe(403);
    expect(String(denied.headers['x-meshlens-proxy-error'])).toContain(
      'spiffe://cluster.local/ns/shop/sa/batch is not allowed by AuthorizationPolicy shop/reviews-callers',
    );
  });

  it('refuses a plaintext client on the inbound port in strict mode', async () => {
    const hits = v1.hits;
    const r = await get(reviewsV1.inbound, { host: 'reviews.shop', path: '/' }).catch(
      (e: unknown) => e as Error,
    );
    if (!(r instanceof Error)) expect(r.status).not.toBe(200);
    expect(v1.hits).toBe(hits);
  });
});

describe('configuration changes', () => {
  it('rejects an invalid change naming the field while traffic keeps the previous routes', async () => {
    const c = createControlPlaneClient({ url: cp.url });
    const before = await c.status();
    writeFileSync(path.join(cp.configDir, 'routes.yaml'), routes('-5'));
    const status = await waitFor('rejection', async () => {
      const s = await c.status();
      return s.lastConfigError ? s : undefined;
    });
    expect(status.configVersion).toBe(before.configVersion);
    expect(
      status.lastConfigError?.errors.map((e) => [
        path.basename(e.file),
        e.object,
        e.field,
        e.message,
      ]),
    ).toEqual([
      [
        'routes.yaml',
        'HTTPRoute shop/reviews',
        'spec.rules[2].backendRefs[1].weight',
        'Too small: expected number to be >=0',
      ],
    ]);
    const replies = await load(200, 10, (i) =>
      toReviews('/', i % 2 === 0 ? { 'x-api-version': '2' } : {}),
    );
    // Every reply 200; the failing ones (if any) are named in the diff.
    expect(replies.filter((r) => r instanceof Error || r.status !== 200).map(versionOf)).toEqual(
      [],
    );
    expect(replies.filter((_, i) => i % 2 === 0).map(versionOf)).toEqual(
      Array.from({ length: 100 }, () => 'v2'),
    );
    c.close();
  });
});
