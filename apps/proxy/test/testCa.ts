import { webcrypto } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as x509 from '@peculiar/x509';
import type { IdentityMaterial } from '@meshlens/cp-client';

x509.cryptoProvider.set(webcrypto);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestIdentity {
  spiffeId: string;
  current(): IdentityMaterial;
  onRotate(l: (m: IdentityMaterial) => void): () => void;
  /** Issues a fresh certificate and announces it, as a renewal would. */
  rotate(): Promise<IdentityMaterial>;
}

/** A throw-away CA issuing SPIFFE workload certificates, like the control plane's. */
export async function createTestCa() {
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=test root',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3600_000),
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  const caPem = caCert.toString('pem');
  let serial = 2;

  async function issue(spiffeId: string): Promise<IdentityMaterial> {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const notAfter = new Date(Date.now() + 3600_000);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      subject: 'CN=workload',
      issuer: caCert.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter,
      signingKey: caKeys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
      ],
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return {
      keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
      certPem: cert.toString('pem'),
      caPem,
      notAfter,
      spiffeId,
    };
  }

  async function identity(namespace: string, sa: string): Promise<TestIdentity> {
    const spiffeId = `spiffe://cluster.local/ns/${namespace}/sa/${sa}`;
    let material = await issue(spiffeId);
    const events = new EventEmitter();
    return {
      spiffeId,
      current: () => material,
      onRotate: (l) => {
        events.on('rotate', l);
        return () => events.off('rotate', l);
      },
      rotate: async () => {
        material = await issue(spiffeId);
        events.emit('rotate', material);
        return material;
      },
    };
  }

  return { caPem, issue, identity };
}
