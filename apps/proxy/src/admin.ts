import http from 'node:http';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './exposition';
import type { ProxyMetrics } from './metrics';
import { serveTap, type TapRouteOptions } from './tap/tapRoute';

export interface AdminDeps {
  metrics: ProxyMetrics;
  beforeScrape: () => void;
  ready: () => boolean;
  describe: () => object;
  tap?: TapRouteOptions;
}

function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/openmetrics-text');
}

/** Admin listener: /metrics (text or OpenMetrics by Accept), /ready, /live, /endpoints, /tap. */
export function createAdminServer(deps: AdminDeps): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'text/plain', 'method not allowed\n');
      return;
    }
    switch (path) {
      case '/metrics': {
        const om = wantsOpenMetrics(req.headers.accept);
        let text: string;
        try {
          deps.beforeScrape();
          text = deps.metrics.registry.render(om);
        } catch (err) {
          send(500, 'text/plain', `metrics failed: ${(err as Error).message}\n`);
          return;
        }
        send(200, om ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE, text);
        return;
      }
      case '/live':
        send(200, 'text/plain', 'live\n');
        return;
      case '/ready': {
        const ok = deps.ready();
        send(ok ? 200 : 503, 'text/plain', ok ? 'ready\n' : 'not ready\n');
        return;
      }
      case '/tap':
        if (deps.tap === undefined || req.method !== 'GET') break;
        serveTap(req, res, deps.tap);
        return;
      case '/endpoints':
        send(200, 'application/json', `${JSON.stringify(deps.describe(), null, 2)}\n`);
        return;
    }
    send(404, 'text/plain', 'not found\n');
  });
}
