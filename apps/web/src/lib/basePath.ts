// The BFF injects the base path it serves under into index.html; the router and the API
// client both prefix with it, so the SPA works behind an ingress or `kubectl proxy`.
export function normalizeBasePath(raw: string | null | undefined): string {
  if (raw === null || raw === undefined) return '/';
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed === '/') return '/';
  if (!/^\/[A-Za-z0-9._~\-/%]*$/.test(trimmed)) return '/';
  return `/${trimmed.replace(/^\/+|\/+$/g, '')}`;
}

export function readBasePath(doc: Document): string {
  const meta = doc.querySelector('meta[name="meshlens-base-path"]');
  return normalizeBasePath(meta?.getAttribute('content'));
}

/** Joins the base path with an absolute app path: ("/x", "/api/v1/stat") -> "/x/api/v1/stat". */
export function withBase(basePath: string, path: string): string {
  return basePath === '/' ? path : `${basePath}${path}`;
}
