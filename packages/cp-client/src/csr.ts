import { generateKeyPair, sign, type KeyObject } from 'node:crypto';

/*
 * A PKCS#10 certificate request (RFC 2986) for a P-256 key, written as DER by hand. The proxy
 * used to build it with @peculiar/x509, whose ASN.1 stack (asn1js, tsyringe, reflect-metadata)
 * cost every sidecar ~7 MB of RSS for one small structure built at start and at each renewal.
 * Node's crypto gives the key, its SubjectPublicKeyInfo and a DER ECDSA signature; only the
 * envelope is written here.
 */

const OID_COMMON_NAME = '2.5.4.3';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV: tag, definite length, contents. */
function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const out = [40 * first + second];
  for (const arc of rest) {
    // base 128, most significant group first, high bit set on all but the last
    const groups = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128))
      groups.unshift(0x80 | (v & 0x7f));
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** DER of the certificationRequestInfo and the signed request, exported for the tests. */
export function encodeCsr(opts: {
  commonName: string;
  spiffeId: string;
  spki: Buffer;
  signer: (info: Buffer) => Buffer;
}): Buffer {
  // GeneralNames with one uniformResourceIdentifier ([6] IMPLICIT IA5String)
  const san = sequence(tlv(0x86, Buffer.from(opts.spiffeId, 'ascii')));
  const extensions = sequence(sequence(oid(OID_SUBJECT_ALT_NAME), tlv(0x04, san)));
  const info = sequence(
    tlv(0x02, Buffer.from([0])), // version 1 (0)
    sequence(set(sequence(oid(OID_COMMON_NAME), tlv(0x0c, Buffer.from(opts.commonName, 'utf8'))))),
    opts.spki,
    // attributes [0] IMPLICIT SET OF Attribute: the extensionRequest
    tlv(0xa0, sequence(oid(OID_EXTENSION_REQUEST), set(extensions))),
  );
  const signature = opts.signer(info);
  return sequence(
    info,
    sequence(oid(OID_ECDSA_WITH_SHA256)),
    tlv(0x03, Buffer.from([0]), signature), // BIT STRING, no unused bits
  );
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function newKeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    generateKeyPair('ec', { namedCurve: 'prime256v1' }, (err, publicKey, privateKey) => {
      if (err) reject(err);
      else resolve({ publicKey, privateKey });
    });
  });
}

/** A fresh P-256 key and a CSR naming the SPIFFE id (URI SAN); the key never leaves this process. */
export async function createCsr(spiffeId: string): Promise<{ keyPem: string; csrPem: string }> {
  if (!/^[\x21-\x7e]+$/.test(spiffeId)) {
    throw new Error(`createCsr: ${JSON.stringify(spiffeId)} is not a URI (printable ASCII only)`);
  }
  const { publicKey, privateKey } = await newKeyPair();
  const der = encodeCsr({
    commonName: spiffeId.split('/').pop() || 'workload',
    spiffeId,
    spki: publicKey.export({ type: 'spki', format: 'der' }),
    // ECDSA signatures from node:crypto are DER (r, s) by default, as X.509 wants them
    signer: (info) => sign('sha256', info, privateKey),
  });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    csrPem: pem('CERTIFICATE REQUEST', der),
  };
}
