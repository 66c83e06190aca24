import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { review, type AdmissionOptions } from './admission';
import type { ServingCert } from './servingCert';

export interface Logger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
}

export interface InjectorDeps {
  cert: ServingCert;
  admission: AdmissionOptions;
  logger: Logger;
}

/** Paths the MutatingWebhookConfiguration calls: one per webhook (see webhookConfig.ts). */
export const PATHS = { namespaceEnabled: '/inject/namespace-enabled', podAnnotation: '/inject' };
const MAX_BODY = 3 * 1024 * 1024; // the API server's own request limit

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error(`body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new Error(`body is not JSON: ${(err as Error).message}`);
  }
}

/** The webhook's HTTPS server (TLS from the mesh CA); `/ready` for probes. */
export function createApp(deps: InjectorDeps): https.Server {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/ready' || path === '/live'))
      return send(res, 200, { ok: true });
    if (path !== PATHS.namespaceEnabled && path !== PATHS.podAnnotation) {
      return send(res, 404, { error: 'not found' });
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'POST an AdmissionReview' });
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (err) {
      deps.logger.warn({ path, error: (err as Error).message }, 'malformed admission review');
      return send(res, 400, { error: (err as Error).message });
    }
    const result = review(body, path === PATHS.namespaceEnabled, deps.admission);
    if (result.status === 400) {
      deps.logger.warn({ path, error: result.error }, 'malformed admission review');
      return send(res, 400, { error: result.error });
    }
    const response = result.body['response'] as { uid: string };
    deps.logger.info(
      { path, uid: response.uid, outcome: result.outcome, reason: result.reason ?? null },
      'admission review',
    );
    send(res, 200, result.body);
  };
  return https.createServer(
    { cert: deps.cert.certPem, key: deps.cert.keyPem, minVersion: 'TLSv1.2' },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        deps.logger.warn({ error: (err as Error).message }, 'admission review failed');
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      });
    },
  );
}
