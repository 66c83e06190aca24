import { randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { parseSpiffeId } from '@meshlens/mesh-config';
import { InvalidInputError } from './errors';

x509.cryptoProvider.set(webcrypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const SAN_OID = '2.5.29.17';

export interface CertificateAuthority {
  caPem: string;
  notAfter: Date;
  /**
   * Signs a CSR whose only URI SAN is a SPIFFE id of our trust domain. `authorize` sees the
   * requested identity before anything is signed and throws to refuse it.
   */
  sign(
    csrPem: string,
    ttlMs: number,
    authorize?: (requested: {
      spiffeId: string;
      namespace: string;
      serviceAccount: string;
    }) => void,
  ): Promise<{ certificatePem: string; notAfter: Date; spiffeId: string; serial: string }>;
}

export interface CaFiles {
  certFile: string;
  keyFile: string;
}

/**
 * Loads the CA from user-provided files, else from the data dir, else generates one there
 * (key file mode 0600) so restarts keep issuing certificates under the same root.
 */
export async function loadOrCreateCa(opts: {
  dataDir: string;
  trustDomain: string;
  files?: CaFiles;
}): Promise<{ ca: CertificateAuthority; source: 'files' | 'data-dir' | 'generated' }> {
  if (opts.files) return { ca: await loadCa(opts.files, opts.trustDomain), source: 'files' };
  const files = {
    certFile: path.join(opts.dataDir, 'ca.crt'),
    keyFile: path.join(opts.dataDir, 'ca.key'),
  };
  try {
    return { ca: await loadCa(files, opts.trustDomain), source: 'data-dir' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(opts.dataDir, { recursive: true });
  const pem = await generateCaPem(opts.trustDomain);
  await writeFile(files.keyFile, pem.keyPem, { mode: 0o600 });
  await writeFile(files.certFile, pem.certPem);
  return { ca: await caFromPem(pem, opts.trustDomain), source: 'generated' };
}

/** A new root CA (ECDSA P-256, 10 years), as PEM. */
export async function generateCaPem(
  trustDomain: string,
): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=meshlens root CA, O=${trustDomain}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * 24 * 3600_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** A CA from PEM text (a Secret's `tls.crt` and `tls.key`). */
export async function caFromPem(
  pem: { certPem: string; keyPem: string },
  trustDomain: string,
): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(pem.certPem);
  const der = x509.PemConverter.decodeFirst(pem.keyPem);
  const key = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
  return createCa(cert, key, trustDomain);
}

async function loadCa(files: CaFiles, trustDomain: string): Promise<CertificateAuthority> {
  const [certPem, keyPem] = await Promise.all([
    readFile(files.certFile, 'utf8'),
    readFile(files.keyFile, 'utf8'),
  ]);
  return caFromPem({ certPem, keyPem }, trustDomain);
}

function createCa(
  caCert: x509.X509Certificate,
  caKey: webcrypto.CryptoKey,
  trustDomain: string,
): CertificateAuthority {
  const caPem = caCert.toString('pem');
  return {
    caPem,
    notAfter: caCert.notAfter,
    async sign(csrPem, ttlMs, authorize) {
      const csr = parseCsr(csrPem);
      if (!(await csr.verify())) throw new InvalidInputError('CSR signature does not verify');
      const { spiffeId, namespace, serviceAccount } = csrSpiffeId(csr, trustDomain);
      authorize?.({ spiffeId, namespace, serviceAccount });
      const now = Date.now();
      // Never past the CA's own expiry; backdated a minute for clock skew between hosts.
      const notAfter = new Date(Math.min(now + ttlMs, caCert.notAfter.getTime()));
      const serial = randomSerial();
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial,
        subject: csr.subject,
        issuer: caCert.subject,
        notBefore: new Date(now - 60_000),
        notAfter,
        signingKey: caKey,
        publicKey: csr.publicKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          ),
          new x509.ExtendedKeyUsageExtension([
            x509.ExtendedKeyUsage.serverAuth,
            x509.ExtendedKeyUsage.clientAuth,
          ]),
          new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
      });
      // X.509 keeps whole seconds: report the expiry the certificate really has.
      return { certificatePem: cert.toString('pem'), notAfter: cert.notAfter, spiffeId, serial };
    },
  };
}

function parseCsr(pem: string): x509.Pkcs10CertificateRequest {
  try {
    return new x509.Pkcs10CertificateRequest(pem);
  } catch (err) {
    throw new InvalidInputError(`csr is not a PEM PKCS#10 request: ${(err as Error).message}`);
  }
}

function csrSpiffeId(
  csr: x509.Pkcs10CertificateRequest,
  trustDomain: string,
): { spiffeId: string; namespace: string; serviceAccount: string } {
  const ext = csr.extensions.find((e) => e.type === SAN_OID);
  const names = ext instanceof x509.SubjectAlternativeNameExtension ? ext.names.toJSON() : [];
  const uris = names.filter((n) => n.type === 'url').map((n) => n.value);
  if (uris.length !== 1 || names.length !== 1) {
    throw new InvalidInputError('CSR must carry exactly one subjectAltName: a SPIFFE URI');
  }
  const id = uris[0] ?? '';
  const parsed = parseSpiffeId(id);
  if (!parsed)
    throw new InvalidInputError(
      `"${id}" is not spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`,
    );
  if (parsed.trustDomain !== trustDomain) {
    throw new InvalidInputError(`SPIFFE id ${id} is not in trust domain ${trustDomain}`);
  }
  return { spiffeId: id, namespace: parsed.namespace, serviceAccount: parsed.serviceAccount };
}

function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f; // positive INTEGER
  return b.toString('hex');
}
