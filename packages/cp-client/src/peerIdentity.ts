import type { PeerCertificate, TLSSocket } from 'node:tls';
import { parseSpiffeId, type SpiffeId } from '@meshlens/mesh-config/spiffe';

/** Anything that carries a subjectAltName: node:tls PeerCertificate or node:crypto X509Certificate. */
export type CertLike =
  Pick<PeerCertificate, 'subjectaltname'> | { subjectAltName?: string | undefined };

/** The first `URI:spiffe://...` SAN of a certificate, if any. */
export function spiffeIdFromCert(cert: CertLike | null | undefined): string | undefined {
  if (!cert) return undefined;
  const san =
    'subjectaltname' in cert
      ? cert.subjectaltname
      : 'subjectAltName' in cert
        ? cert.subjectAltName
        : undefined;
  if (!san) return undefined;
  for (const part of san.split(/,\s*/)) {
    if (part.startsWith('URI:spiffe://')) return part.slice('URI:'.length);
  }
  return undefined;
}

export type PeerIdentityResult =
  ({ ok: true; id: string } & SpiffeId) | { ok: false; reason: string };

/**
 * Checks the peer of an established TLS socket: the chain was verified against our CA (node
 * did that, `authorized`), and it carries a SPIFFE id of our trust domain (and, if given, one of
 * the expected ids).
 */
export function verifyPeerIdentity(
  socket: Pick<TLSSocket, 'authorized' | 'authorizationError' | 'getPeerCertificate'>,
  opts: { trustDomain: string; expected?: string | readonly string[] },
): PeerIdentityResult {
  if (!socket.authorized) {
    return {
      ok: false,
      reason: `peer certificate not trusted: ${String(socket.authorizationError ?? 'no certificate')}`,
    };
  }
  return checkSpiffeId(spiffeIdFromCert(socket.getPeerCertificate()), opts);
}

export function checkSpiffeId(
  id: string | undefined,
  opts: { trustDomain: string; expected?: string | readonly string[] },
): PeerIdentityResult {
  if (id === undefined) return { ok: false, reason: 'peer certificate has no SPIFFE id' };
  const parsed = parseSpiffeId(id);
  if (!parsed) return { ok: false, reason: `malformed SPIFFE id ${id}` };
  if (parsed.trustDomain !== opts.trustDomain) {
    return { ok: false, reason: `SPIFFE id ${id} is not in trust domain ${opts.trustDomain}` };
  }
  const expected =
    opts.expected === undefined
      ? undefined
      : typeof opts.expected === 'string'
        ? [opts.expected]
        : opts.expected;
  if (expected && !expected.includes(id))
    return { ok: false, reason: `unexpected peer identity ${id}` };
  return { ok: true, id, ...parsed };
}

/**
 * A `checkServerIdentity` for tls.connect: mesh certificates name no host, so the DNS check is
 * replaced by a SPIFFE check (the chain itself is still verified against `ca`).
 */
export function spiffeServerIdentityCheck(opts: {
  trustDomain: string;
  expected?: string | readonly string[];
}): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => {
    const r = checkSpiffeId(spiffeIdFromCert(cert), opts);
    return r.ok ? undefined : new Error(r.reason);
  };
}
