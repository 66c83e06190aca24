import { createControlPlaneClient } from '@meshlens/cp-client';
import { afterAll, expect, it } from 'vitest';
import { waitFor } from './helpers';
import {
  createCleanup,
  get,
  startApp,
  startCp,
  startProxy,
  steadyLoad,
  expectVersion,
} from './mesh';

const cleanup = createCleanup();
afterAll(() => cleanup.run());

it('rotates certificates under load with no failed request', async () => {
  // 8 s certificates: each proxy renews about every 5.3 s, 2.7 s before expiry (margin for a busy machine).
  const cp = await startCp(cleanup, { args: ['--cert-ttl-seconds', '8'] });
  const app = await startApp(cleanup, 'v1');
  await startProxy(cleanup, {
    cp,
    service: 'reviews',
    sa: 'reviews',
    version: 'v1',
    appPort: app.port,
    tlsMode: 'strict',
  });
  const frontend = await startProxy(cleanup, {
    cp,
    service: 'frontend',
    sa: 'frontend',
  });
  const send = () => get(frontend.outbound, { host: 'reviews.shop', path: '/' });
  await waitFor('route ready', async () => expectVersion(await send(), 'v1'), 30_000);

  const c = createControlPlaneClient({ url: cp.url });
  cleanup.add(() => c.close());
  const issuedAtStart = (await c.status()).certsIssued;
  const traffic = steadyLoad(send, { concurrency: 4, maxMs: 60_000 });
  // Two proxies, at least two renewals each, while traffic flows.
  await waitFor(
    '4 renewals',
    async () => (await c.status()).certsIssued >= issuedAtStart + 4,
    30_000,
  );
  // And traffic keeps flowing on the rotated certificates.
  const okAfterRotation = traffic.stats.ok;
  await waitFor('requests after rotation', () => traffic.stats.ok >= okAfterRotation + 20, 30_000);
  const stats = await traffic.stop();
  expect(stats.failures).toEqual([]);
  expect(stats.failed).toBe(0);
});
