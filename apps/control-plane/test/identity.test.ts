import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  createControlPlaneClient,
  createCsr,
  createTokenAdminClient,
  type EndpointRegistration,
} from '@meshlens/cp-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../src/server';
import { adminToken, flags, joinToken, startInProcess, tempDir, waitFor } from './helpers';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function cp(dataDir?: string): Promise<RunningControlPlane> {
  let dir = dataDir;
  if (dir === undefined) {
    const data = tempDir('cp-id-');
    cleanups.push(data.cleanup);
    dir = data.dir;
  }
  const running = await startInProcess(flags({ dataDir: dir }));
  cleanups.push(() => running.close());
  return running;
}

const PAYMENTS = 'spiffe://cluster.local/ns/shop/sa/payments';

async function askCertificate(url: string, token: string | undefined, spiffeId: string) {
  const { csrPem } = await createCsr(spiffeId);
  const res = await fetch(`${url}/api/v1/certificates`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ csr: csrPem }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const reg = (serviceAccount: string): EndpointRegistration => ({
  namespace: 'shop',
  service: 'payments',
  workload: 'payments',
  pod: 'payments-1',
  serviceAccount,
  address: '127.0.0.1',
  port: 9100,
  adminAddress: '127.0.0.1',
  adminPort: 9101,
  proxyVersion: '0.1.0',
});

async function certsIssued(url: string): Promise<number> {
  return (await createControlPlaneClient({ url }).status()).certsIssued;
}

describe('join tokens bind certificates to one service account', () => {
  it("refuses scraper's token asking for payments' identity, and issues payments' own", async () => {
    const running = await cp();
    const scraper = await joinToken(running, 'shop', 'scraper');
    const refused = await askCertificate(running.url, scraper, PAYMENTS);
    expect(refused).toEqual({
      status: 403,
      body: {
        error:
          'the token speaks for service account shop/scraper; it cannot obtain a certificate ' +
          `(${PAYMENTS}) for shop/payments`,
      },
    });
    // ... and cannot register an endpoint as payments either.
    const asPayments = createControlPlaneClient({ url: running.url, token: scraper });
    cleanups.push(() => asPayments.close());
    await expect(asPayments.register(reg('payments'))).rejects.toMatchObject({
      status: 403,
      message:
        'the token speaks for service account shop/scraper; it cannot register an endpoint for shop/payments',
    });
    expect(await certsIssued(running.url)).toBe(0);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain(
      'meshlens_cp_certificate_requests_refused_total{reason="identity"} 1\n',
    );

    const payments = await joinToken(running, 'shop', 'payments');
    const issued = await askCertificate(running.url, payments, PAYMENTS);
    expect(issued.status).toBe(200);
    expect(await certsIssued(running.url)).toBe(1);
  });

  it('refuses a revoked token for certificates, registration and watches, and ends its open watch', async () => {
    const running = await cp();
    const token = await joinToken(running, 'shop', 'payments');
    const admin = createTokenAdminClient({ url: running.url, adminToken: adminToken(running) });
    const [info] = await admin.list();
    expect(info).toMatchObject({ namespace: 'shop', serviceAccount: 'payments' });

    const ac = new AbortController();
    cleanups.push(() => ac.abort());
    const watch = await fetch(`${running.url}/api/v1/watch/config`, {
      headers: { authorization: `Bearer ${token}` },
      signal: ac.signal,
    });
    expect(watch.status).toBe(200);
    const reading = watch.text(); // resolves when the server ends the stream

    const revoked = await admin.revoke(info?.id ?? '');
    expect(revoked.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    await reading;

    const refused = await askCertificate(running.url, token, PAYMENTS);
    expect(refused).toEqual({
      status: 401,
      body: { error: `join token ${info?.id} was revoked at ${revoked.revokedAt}` },
    });
    const watchAgain = await fetch(`${running.url}/api/v1/watch/config`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(watchAgain.status).toBe(401);
    const c = createControlPlaneClient({ url: running.url, token });
    cleanups.push(() => c.close());
    await expect(c.register(reg('payments'))).rejects.toMatchObject({ status: 401 });
    expect(await certsIssued(running.url)).toBe(0);
  });

  it('refuses an expired token (persisted by an earlier run)', async () => {
    const data = tempDir('cp-id-');
    cleanups.push(data.cleanup);
    // The store's file format: only a SHA-256 of the secret, never the secret.
    const secret = 'an-expired-secret';
    writeFileSync(
      path.join(data.dir, 'join-tokens.json'),
      JSON.stringify({
        tokens: [
          {
            id: 'a1b2c3d4e5f6',
            namespace: 'shop',
            serviceAccount: 'payments',
            createdAt: '2026-01-01T00:00:00.000Z',
            expiresAt: '2026-01-02T00:00:00.000Z',
            secretSha256: createHash('sha256').update(secret).digest('hex'),
          },
        ],
      }),
    );
    const running = await cp(data.dir);
    const refused = await askCertificate(running.url, `mlj1.a1b2c3d4e5f6.${secret}`, PAYMENTS);
    expect(refused).toEqual({
      status: 401,
      body: { error: 'join token a1b2c3d4e5f6 expired at 2026-01-02T00:00:00.000Z' },
    });
    // A wrong secret for a known id says nothing about the token.
    const wrong = await askCertificate(running.url, 'mlj1.a1b2c3d4e5f6.guess', PAYMENTS);
    expect(wrong).toEqual({ status: 401, body: { error: 'join token is not valid' } });
    expect(await certsIssued(running.url)).toBe(0);
  });

  it('ends a watch when its join token expires, and refuses the reconnect', async () => {
    const data = tempDir('cp-id-');
    cleanups.push(data.cleanup);
    // A token that expires a few seconds from now (the API's minimum lifetime is a minute).
    const secret = 'a-short-lived-secret';
    const expiresAt = new Date(Date.now() + 4000).toISOString();
    writeFileSync(
      path.join(data.dir, 'join-tokens.json'),
      JSON.stringify({
        tokens: [
          {
            id: 'b1b2c3d4e5f6',
            namespace: 'shop',
            serviceAccount: 'payments',
            createdAt: new Date().toISOString(),
            expiresAt,
            secretSha256: createHash('sha256').update(secret).digest('hex'),
          },
        ],
      }),
    );
    const running = await cp(data.dir);
    const token = `mlj1.b1b2c3d4e5f6.${secret}`;
    const ac = new AbortController();
    cleanups.push(() => ac.abort());
    const watch = await fetch(`${running.url}/api/v1/watch/config`, {
      headers: { authorization: `Bearer ${token}` },
      signal: ac.signal,
    });
    expect(watch.status).toBe(200);
    const ended = await Promise.race([
      watch.text().then(() => 'ended by the server'),
      new Promise<string>((r) => setTimeout(() => r('still open after 20 s'), 20_000).unref()),
    ]);
    expect(ended).toBe('ended by the server');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    const again = await fetch(`${running.url}/api/v1/watch/config`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect({ status: again.status, body: await again.json() }).toEqual({
      status: 401,
      body: { error: `join token b1b2c3d4e5f6 expired at ${expiresAt}` },
    });
  });

  it('stores only hashes, atomically, readable by the owner only, and prints the token once', async () => {
    const running = await cp();
    const token = await joinToken(running, 'shop', 'payments');
    expect(token).toMatch(/^mlj1\.[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
    const file = path.join(path.dirname(running.adminTokenFile), 'join-tokens.json');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(token.split('.')[2]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(running.adminTokenFile).mode & 0o777).toBe(0o600);
    const admin = createTokenAdminClient({ url: running.url, adminToken: adminToken(running) });
    const listed = JSON.stringify(await admin.list());
    expect(listed).not.toContain(token.split('.')[2]);
  });
});

describe('who may call what', () => {
  it('answers no anonymous watch, registry or config read', async () => {
    const running = await cp();
    for (const p of [
      '/api/v1/watch/endpoints?service=payments.shop',
      '/api/v1/watch/config',
      '/api/v1/endpoints',
      '/api/v1/config',
    ]) {
      const res = await fetch(`${running.url}${p}`);
      expect({ p, status: res.status, body: await res.json() }).toEqual({
        p,
        status: 401,
        body: { error: 'a workload token is required (Authorization: Bearer <token>)' },
      });
    }
    const bogus = await fetch(`${running.url}/api/v1/watch/config`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(bogus.status).toBe(401);
    // Status and probes stay open (CLI `check`, monitoring).
    expect((await fetch(`${running.url}/api/v1/status`)).status).toBe(200);
  });

  it('keeps token management to the admin, and workload identities to workloads', async () => {
    const running = await cp();
    const workload = await joinToken(running, 'shop', 'payments');
    const asWorkload = createTokenAdminClient({ url: running.url, adminToken: workload });
    await expect(
      asWorkload.create({ namespace: 'shop', serviceAccount: 'payments', ttlSeconds: 3600 }),
    ).rejects.toMatchObject({
      status: 403,
      message: 'join tokens are managed with the admin token only',
    });
    const anonymous = await fetch(`${running.url}/api/v1/tokens`);
    expect(anonymous.status).toBe(401);
    const admin = adminToken(running);
    expect(await askCertificate(running.url, admin, PAYMENTS)).toEqual({
      status: 403,
      body: {
        error: `the admin token cannot obtain a certificate (${PAYMENTS}); use the workload's own token`,
      },
    });
    const badTtl = await fetch(`${running.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'Shop', serviceAccount: 'payments', ttlSeconds: 3600 }),
    });
    expect(badTtl.status).toBe(400);
    expect(((await badTtl.json()) as { error: string }).error).toBe(
      'invalid token request: namespace: must be a lowercase DNS label (a-z, 0-9, "-")',
    );
    // The admin token may read the registry (the dashboard could use it; it uses its own identity).
    const read = await fetch(`${running.url}/api/v1/endpoints`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(read.status).toBe(200);
  });

  it('keeps the admin token and join tokens across restarts', async () => {
    const data = tempDir('cp-id-');
    cleanups.push(data.cleanup);
    const first = await startInProcess(flags({ dataDir: data.dir }));
    const admin = adminToken(first);
    const token = await joinToken(first, 'shop', 'payments');
    await first.close();
    const second = await cp(data.dir);
    expect(adminToken(second)).toBe(admin);
    await waitFor('certificate after restart', async () => {
      const r = await askCertificate(second.url, token, PAYMENTS);
      return r.status === 200;
    });
  });
});
