export interface SpiffeId {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

const SPIFFE_RE = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** Parses `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`; undefined for any other shape. */
export function parseSpiffeId(id: string): SpiffeId | undefined {
  const m = SPIFFE_RE.exec(id);
  if (!m) return undefined;
  return { trustDomain: m[1] ?? '', namespace: m[2] ?? '', serviceAccount: m[3] ?? '' };
}

export function formatSpiffeId(
  trustDomain: string,
  namespace: string,
  serviceAccount: string,
): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}
