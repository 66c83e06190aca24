import { X509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { createCsr } from './csr';
import { checkSpiffeId, spiffeIdFromCert, spiffeServerIdentityCheck } from './peerIdentity';

describe('createCsr', () => {
  it('creates a P-256 key and a CSR carrying the SPIFFE id', async () => {
    const id = 'spiffe://cluster.local/ns/shop/sa/frontend';
    const { keyPem, csrPem } = await createCsr(id);
    expect(keyPem.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    expect(await csr.verify()).toBe(true);
    const san = csr.extensions.find((e) => e.type === '2.5.29.17');
    expect(
      san instanceof x509.SubjectAlternativeNameExtension ? san.names.toJSON() : undefined,
    ).toEqual([{ type: 'url', value: id }]);
    expect((csr.publicKey.algorithm as { namedCurve?: string }).namedCurve).toBe('P-256');
  });
});

describe('spiffeIdFromCert', () => {
  it('reads the URI SAN of node:tls and node:crypto certificates', async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=x',
      keys,
      signingAlgorithm: alg,
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'x.example' },
          { type: 'url', value: 'spiffe://td/ns/a/sa/b' },
        ]),
      ],
    });
    expect(spiffeIdFromCert(new X509Certificate(cert.toString('pem')))).toBe(
      'spiffe://td/ns/a/sa/b',
    );
    expect(spiffeIdFromCert({ subjectaltname: 'DNS:x, URI:spiffe://td/ns/c/sa/d' })).toBe(
      'spiffe://td/ns/c/sa/d',
    );
    expect(spiffeIdFromCert({ subjectaltname: 'DNS:x' })).toBeUndefined();
  });
});

describe('checkSpiffeId', () => {
  it('checks trust domain and expected ids', () => {
    const opts = { trustDomain: 'cluster.local' };
    expect(checkSpiffeId('spiffe://cluster.local/ns/a/sa/b', opts)).toEqual({
      ok: true,
      id: 'spiffe://cluster.local/ns/a/sa/b',
      trustDomain: 'cluster.local',
      namespace: 'a',
      serviceAccount: 'b',
    });
    expect(checkSpiffeId('spiffe://evil/ns/a/sa/b', opts)).toEqual({
      ok: false,
      reason: 'SPIFFE id spiffe://evil/ns/a/sa/b is not in trust domain cluster.local',
    });
    expect(checkSpiffeId(undefined, opts)).toEqual({
      ok: false,
      reason: 'peer certificate has no SPIFFE id',
    });
    const check = spiffeServerIdentityCheck({
      ...opts,
      expected: 'spiffe://cluster.local/ns/a/sa/b',
    });
    expect(
      check('h', { subjectaltname: 'URI:spiffe://cluster.local/ns/a/sa/c' } as never)?.message,
    ).toBe('unexpected peer identity spiffe://cluster.local/ns/a/sa/c');
  });
});
