import { randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A throw-away mesh CA in a temporary folder, in the files the control plane reads. */
export async function createTestCa(): Promise<{
  certFile: string;
  keyFile: string;
  caPem: string;
  remove(): void;
}> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlens-test-ca-'));
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    name: 'CN=meshlens test CA',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });
  const certFile = path.join(dir, 'ca.crt');
  const keyFile = path.join(dir, 'ca.key');
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  writeFileSync(certFile, cert.toString('pem'));
  writeFileSync(keyFile, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
  return {
    certFile,
    keyFile,
    caPem: cert.toString('pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
