import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  createControlPlaneClient,
  createCsr,
  type EndpointRegistration,
} from '@meshlens/cp-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../src/server';
import { flags, joinToken, startInProcess, tempDir, testdataDir } from './helpers';
import { startFakeApiServer, type FakeApiServer } from './kube/fakeApiServer';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

const testdata = testdataDir();
const SA = (ns: string, sa: string) => `system:serviceaccount:${ns}:${sa}`;
const PAYMENTS = 'spiffe://cluster.local/ns/shop/sa/payments';

/** Projected tokens the fake API server knows (opaque strings: only the API server reads them). */
const TOKENS = {
  payments: { username: SA('shop', 'payments'), audiences: ['meshlens'] },
  paymentsOther: { username: SA('shop', 'payments'), audiences: ['vault'] },
  paymentsLater: { username: SA('shop', 'payments'), audiences: ['meshlens', 'vault'] },
  node: { username: 'system:node:worker-1', audiences: ['meshlens'] },
};

async function setup(): Promise<{ running: RunningControlPlane; api: FakeApiServer }> {
  const dir = tempDir('cp-k8s-');
  cleanups.push(dir.cleanup);
  // shape fixture: Kubernetes' own TokenReview object (placeholder values) gives the envelope.
  const shape = JSON.parse(
    readFileSync(
      path.join(testdata ?? '', 'kubernetes/api-objects/authentication.k8s.io.v1.TokenReview.json'),
      'utf8',
    ),
  ) as Record<string, unknown>;
  const api = await startFakeApiServer({ tokenReviewShape: shape });
  cleanups.push(() => api.close());
  for (const [token, t] of Object.entries(TOKENS)) api.acceptToken(token, t.username, t.audiences);
  const running = await startInProcess(
    flags({
      dataDir: path.join(dir.dir, 'data'),
      tokenReview: { kubeconfigFile: api.writeKubeconfig(dir.dir), audience: 'meshlens' },
    }),
  );
  cleanups.push(() => running.close());
  return { running, api };
}

async function ask(url: string, token: string, spiffeId: string) {
  const { csrPem } = await createCsr(spiffeId);
  const res = await fetch(`${url}/api/v1/certificates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ csr: csrPem }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const certsIssued = async (url: string) =>
  (await createControlPlaneClient({ url }).status()).certsIssued;

describe.skipIf(testdata === undefined)('Kubernetes service-account tokens (TokenReview)', () => {
  it('issues the certificate of the service account the API server vouches for', async () => {
    const { running, api } = await setup();
    const r = await ask(running.url, 'payments', PAYMENTS);
    expect(r.status).toBe(200);
    expect(await certsIssued(running.url)).toBe(1);
    // The request has the shape of kubectl's TokenReview request, plus our audience.
    const kubectlShape = JSON.parse(
      readFileSync(
        path.join(testdata ?? '', 'kubernetes/api-objects/kubectl-tokenreview-v1.json'),
        'utf8',
      ),
    ) as { apiVersion: string; kind: string };
    expect(api.tokenReviews).toEqual([
      {
        apiVersion: kubectlShape.apiVersion,
        kind: kubectlShape.kind,
        spec: { token: 'payments', audiences: ['meshlens'] },
      },
    ]);
    // The same token registers and watches as shop/payments.
    const c = createControlPlaneClient({ url: running.url, token: 'payments' });
    cleanups.push(() => c.close());
    const reg: EndpointRegistration = {
      namespace: 'shop',
      service: 'payments',
      workload: 'payments',
      pod: 'payments-0',
      serviceAccount: 'payments',
      address: '10.0.0.7',
      port: 4143,
      adminAddress: '10.0.0.7',
      adminPort: 4191,
      proxyVersion: '0.1.0',
    };
    await c.register(reg);
    expect((await c.listEndpoints()).map((e) => e.pod)).toEqual(['payments-0']);
  });

  it("refuses another service account's identity, a token for another audience, and a non-service-account user", async () => {
    const { running } = await setup();
    expect(
      await ask(running.url, 'payments', 'spiffe://cluster.local/ns/shop/sa/checkout'),
    ).toEqual({
      status: 403,
      body: {
        error:
          'the token speaks for service account shop/payments; it cannot obtain a certificate ' +
          '(spiffe://cluster.local/ns/shop/sa/checkout) for shop/checkout',
      },
    });
    expect(await ask(running.url, 'paymentsOther', PAYMENTS)).toEqual({
      status: 401,
      body: {
        error:
          'the Kubernetes API did not authenticate the service-account token: token audiences are invalid',
      },
    });
    expect(await ask(running.url, 'unknown-token', PAYMENTS)).toEqual({
      status: 401,
      body: {
        error:
          'the Kubernetes API did not authenticate the service-account token: invalid bearer token',
      },
    });
    expect(await ask(running.url, 'node', PAYMENTS)).toEqual({
      status: 403,
      body: { error: '"system:node:worker-1" is not a Kubernetes service account' },
    });
    expect(await certsIssued(running.url)).toBe(0);
    // Join tokens keep working beside Kubernetes tokens.
    const join = await joinToken(running, 'shop', 'payments');
    expect((await ask(running.url, join, PAYMENTS)).status).toBe(200);
  });

  it('says clearly that the API server is down, and issues nothing', async () => {
    const { running, api } = await setup();
    await api.close();
    const r = await ask(running.url, 'paymentsLater', PAYMENTS);
    expect(r.status).toBe(503);
    expect(r.body.error).toMatch(
      new RegExp(
        `^cannot verify the service-account token: the Kubernetes API at ${api.url.replaceAll('.', '\\.')} is unreachable \\(ECONNREFUSED`,
      ),
    );
    expect(await certsIssued(running.url)).toBe(0);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain(
      'meshlens_cp_certificate_requests_refused_total{reason="unavailable"} 1\n',
    );
  });
});
