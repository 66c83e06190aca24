import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface ReviewedToken {
  username: string;
  audiences: string[];
}

export interface FakeKubeApi {
  url: string;
  kubeconfigFile: string;
  /** Every TokenReview request body the API server received. */
  requests: unknown[];
  close(): Promise<void>;
}

/** A CA and a server certificate for 127.0.0.1, so the client verifies real TLS. */
async function serverTls(): Promise<{ caPem: string; keyPem: string; certPem: string }> {
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=test kubernetes CA',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3600_000),
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=kube-apiserver',
    issuer: ca.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3600_000),
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    caPem: ca.toString('pem'),
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    certPem: cert.toString('pem'),
  };
}

/**
 * An HTTPS server that speaks the Kubernetes API for TokenReview only: it checks the caller's
 * own bearer token (the control plane's service account), then answers each review from
 * `tokens`, in the shape of `shape` (the API's TokenReview object from the testdata).
 */
export async function startFakeKubeApi(opts: {
  dir: string;
  callerToken: string;
  tokens: Record<string, ReviewedToken>;
  shape: Record<string, unknown>;
}): Promise<FakeKubeApi> {
  const tls = await serverTls();
  const requests: unknown[] = [];
  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${opts.callerToken}`) {
        send(401, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Unauthorized',
          code: 401,
        });
        return;
      }
      if (
        req.method !== 'POST' ||
        req.url?.split('?')[0] !== '/apis/authentication.k8s.io/v1/tokenreviews'
      ) {
        send(404, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        });
        return;
      }
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        spec: { token: string; audiences?: string[] };
      };
      requests.push(review);
      const known = opts.tokens[review.spec.token];
      const wanted = review.spec.audiences ?? [];
      // As the API server does: authenticated only if the token is bound to a requested audience,
      // and status.audiences is the intersection.
      const audiences = known ? known.audiences.filter((a) => wanted.includes(a)) : [];
      const status =
        known && audiences.length > 0
          ? {
              authenticated: true,
              user: {
                username: known.username,
                uid: 'b0e1c2d3-0000-4000-8000-000000000001',
                groups: ['system:serviceaccounts', 'system:authenticated'],
              },
              audiences,
            }
          : {
              authenticated: false,
              error: known ? 'token audiences are invalid' : 'invalid bearer token',
              user: {},
            };
      send(201, {
        ...opts.shape,
        metadata: { creationTimestamp: null },
        spec: review.spec,
        status,
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigFile = path.join(opts.dir, 'kubeconfig');
  writeFileSync(
    kubeconfigFile,
    `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: ${url}
      certificate-authority-data: ${Buffer.from(tls.caPem).toString('base64')}
users:
  - name: control-plane
    user:
      token: ${opts.callerToken}
contexts:
  - name: test
    context: { cluster: test, user: control-plane }
current-context: test
`,
  );
  return {
    url,
    kubeconfigFile,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
