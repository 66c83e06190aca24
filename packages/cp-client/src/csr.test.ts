import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { createCsr } from './csr';

/** OpenSSL is the independent reader: it parses the DER and checks the self-signature. */
function openssl(csrPem: string): string {
  return execFileSync('openssl', ['req', '-noout', '-verify', '-text'], {
    input: csrPem,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

describe('createCsr (hand-written DER)', () => {
  it('is a PKCS#10 request OpenSSL verifies, with the SPIFFE id as the only URI SAN', async () => {
    const id = 'spiffe://cluster.local/ns/shop/sa/frontend';
    const { csrPem } = await createCsr(id);
    expect(csrPem).toMatch(
      /^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE REQUEST-----\n$/,
    );
    const text = openssl(csrPem);
    expect(text).toContain('Subject: CN = frontend');
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toMatch(
      /X509v3 Subject Alternative Name: *\n *URI:spiffe:\/\/cluster\.local\/ns\/shop\/sa\/frontend\n/,
    );
  });

  it('is accepted by @peculiar/x509, the parser the control plane signs with', async () => {
    const id = 'spiffe://cluster.local/ns/shop/sa/frontend';
    const csr = new x509.Pkcs10CertificateRequest((await createCsr(id)).csrPem);
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe('CN=frontend');
    // read as apps/control-plane/src/ca.ts reads it
    const san = csr.extensions.find((e) => e.type === '2.5.29.17');
    expect(san).toBeInstanceOf(x509.SubjectAlternativeNameExtension);
    expect((san as x509.SubjectAlternativeNameExtension).names.toJSON()).toEqual([
      { type: 'url', value: id },
    ]);
  });

  it('returns the private key of the public key in the request', async () => {
    const { keyPem, csrPem } = await createCsr('spiffe://td/ns/a/sa/b');
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    const fromCsr = createPublicKey({
      key: Buffer.from(csr.publicKey.rawData),
      format: 'der',
      type: 'spki',
    });
    const fromKey = createPublicKey(createPrivateKey(keyPem));
    expect(fromKey.export({ type: 'spki', format: 'der' })).toEqual(
      fromCsr.export({ type: 'spki', format: 'der' }),
    );
  });

  it('encodes long names with multi-byte DER lengths', async () => {
    const sa = 'x'.repeat(300); // SAN and subject longer than 255 bytes: two length octets
    const id = `spiffe://cluster.local/ns/shop/sa/${sa}`;
    const text = openssl((await createCsr(id)).csrPem);
    expect(text).toContain(`URI:${id}`);
    expect(text).toContain(`CN = ${sa}`);
  });

  it('refuses an id that is not printable ASCII (IA5String) before generating anything', async () => {
    await expect(createCsr('spiffe://cluster.local/ns/shöp/sa/a')).rejects.toThrow(
      'createCsr: "spiffe://cluster.local/ns/shöp/sa/a" is not a URI (printable ASCII only)',
    );
  });
});
