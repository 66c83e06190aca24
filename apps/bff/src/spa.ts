import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { type Router } from 'express';
import { NotFoundError } from './httpErrors';

export interface SpaOptions {
  /** folder holding the Vite build (index.html + assets/), null to serve no SPA */
  webDist: string | null;
  /** '' or '/prefix' (validated by the config) */
  basePath: string;
}

/** Paths that are never the SPA: an unknown API URL must be a JSON 404, not index.html. */
const NOT_SPA = /^\/(api|v1|metrics|live|ready)(\/|$)/;

/** Vite emits content-hashed files under assets/: they never change, so cache them forever. */
function setCacheHeaders(res: express.Response, file: string): void {
  const immutable = file.split(path.sep).includes('assets');
  res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/**
 * Points the SPA at its base path: `<base href>` makes the relative asset URLs resolve from any
 * deep link, the meta tag tells the router and API client the prefix. No inline script (CSP).
 */
export function injectBasePath(html: string, basePath: string): string {
  const href = `${basePath}/`;
  const meta = basePath === '' ? '/' : basePath;
  let out = html;
  const baseTag = `<base href="${href}" />`;
  const metaTag = `<meta name="meshlens-base-path" content="${meta}" />`;
  out = /<base\s[^>]*>/i.test(out)
    ? out.replace(/<base\s[^>]*>/i, baseTag)
    : out.replace(/<head>/i, `<head>\n    ${baseTag}`);
  out = /<meta\s+name="meshlens-base-path"[^>]*>/i.test(out)
    ? out.replace(/<meta\s+name="meshlens-base-path"[^>]*>/i, metaTag)
    : out.replace(baseTag, `${baseTag}\n    ${metaTag}`);
  return out;
}

export function spaRoutes(router: Router, opts: SpaOptions): void {
  const { webDist } = opts;
  if (webDist === null) return;
  const indexFile = path.join(webDist, 'index.html');

  const sendIndex: express.RequestHandler = async (_req, res) => {
    let html: string;
    try {
      html = await readFile(indexFile, 'utf8'); // re-read: a rebuilt SPA shows without restart
    } catch {
      throw new NotFoundError(
        `the dashboard is not built (no ${indexFile}); run: npm run build -w apps/web`,
      );
    }
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(injectBasePath(html, opts.basePath));
  };

  router.get(['/', '/index.html'], sendIndex);
  router.use(
    express.static(webDist, { index: false, redirect: false, setHeaders: setCacheHeaders }),
  );
  // History fallback: client-side routes like /namespaces/shop get the app.
  router.get('/{*path}', (req, res, next) => {
    if (NOT_SPA.test(req.path) || path.extname(req.path) !== '' || !req.accepts('html'))
      return next();
    return sendIndex(req, res, next);
  });
}
