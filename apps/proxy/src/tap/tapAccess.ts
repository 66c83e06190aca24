import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { spiffeIdFromCert } from '@meshlens/cp-client/peer-identity';

/** Who may tap: the dashboard's mesh identity over mTLS, or the holder of the tap token. */
export interface TapAccess {
  /** SPIFFE ids allowed over mTLS (the dashboard's) */
  identities: ReadonlySet<string>;
  /** bearer token (from --tap-token-file) for places without mTLS */
  token: string | undefined;
}

export type TapVerdict = { ok: true; who: string } | { ok: false; reason: string };

function sameToken(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function checkTapAccess(req: IncomingMessage, access: TapAccess): TapVerdict {
  const socket = req.socket as TLSSocket;
  const peer =
    socket.encrypted === true && socket.authorized
      ? spiffeIdFromCert(socket.getPeerCertificate())
      : undefined;
  if (peer !== undefined && access.identities.has(peer)) return { ok: true, who: peer };
  const auth = req.headers.authorization;
  if (access.token !== undefined && auth?.startsWith('Bearer ') === true) {
    if (sameToken(auth.slice('Bearer '.length).trim(), access.token))
      return { ok: true, who: 'token' };
    return { ok: false, reason: 'the tap token is wrong' };
  }
  if (peer !== undefined) return { ok: false, reason: `identity ${peer} may not tap` };
  return {
    ok: false,
    reason:
      access.token === undefined
        ? 'tap needs the dashboard mesh identity (mTLS)'
        : 'tap needs the dashboard mesh identity (mTLS) or the tap token',
  };
}
