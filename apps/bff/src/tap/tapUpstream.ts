import http from 'node:http';
import https from 'node:https';
import { spiffeServerIdentityCheck } from '@meshlens/cp-client';
import {
  type ProxyTapQuery,
  type TapEvent,
  tapEventSchema,
  toSearchParams,
} from '@meshlens/contract';
import type { TapProxy } from './tapProxies';

/** How the BFF proves it is the dashboard to a proxy. */
export interface TapCredentials {
  /** the dashboard's workload certificate (mTLS to the admin port) */
  tls?: () => { keyPem: string; certPem: string; caPem: string };
  trustDomain?: string;
  /** a tap token, for proxies without mTLS */
  token?: string;
}

export interface UpstreamHandlers {
  onEvent(event: TapEvent): void;
  /** the stream could not be opened or ended early; `message` is safe to show */
  onError(message: string): void;
}

const MAX_LINE = 256 * 1024;

/** Opens one proxy's `GET /tap` and parses its NDJSON lines; returns a closer. */
export function openUpstreamTap(
  proxy: TapProxy,
  query: ProxyTapQuery,
  creds: TapCredentials,
  handlers: UpstreamHandlers,
  timeoutMs = 5000,
): () => void {
  const material = creds.tls?.();
  const url = new URL(`/tap?${toSearchParams(query).toString()}`, proxy.adminOrigin);
  // the admin port takes TLS and plaintext on the same port (the proxy tells by the first byte)
  if (material !== undefined) url.protocol = 'https:';
  const headers: http.OutgoingHttpHeaders = {};
  if (creds.token !== undefined) headers.authorization = `Bearer ${creds.token}`;
  let closed = false;
  const fail = (message: string) => {
    if (closed) return;
    closed = true;
    handlers.onError(message);
  };
  const onResponse = (res: http.IncomingMessage) => {
    req.setTimeout(0);
    if (res.statusCode !== 200) {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body = (body + c).slice(0, 500)));
      res.on('end', () => fail(`proxy answered ${res.statusCode}: ${body.trim()}`));
      return;
    }
    let partial = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > MAX_LINE) {
        req.destroy();
        fail('proxy sent an over-long line');
        return;
      }
      for (const line of lines) {
        if (line.trim() === '') continue;
        let raw: unknown;
        try {
          raw = JSON.parse(line);
        } catch {
          continue;
        }
        const parsed = tapEventSchema.safeParse(raw);
        if (parsed.success) handlers.onEvent(parsed.data);
      }
    });
    res.on('end', () => fail('proxy ended the tap'));
    res.on('error', () => fail('proxy connection lost'));
  };
  let req: http.ClientRequest;
  try {
    req =
      material === undefined
        ? http.get(url, { headers }, onResponse)
        : https.get(
            url,
            {
              headers,
              key: material.keyPem,
              cert: material.certPem,
              ca: material.caPem,
              minVersion: 'TLSv1.3',
              // any mesh workload identity of our trust domain: the address came from discovery
              checkServerIdentity: spiffeServerIdentityCheck({
                trustDomain: creds.trustDomain ?? 'cluster.local',
              }),
            },
            onResponse,
          );
  } catch (err) {
    // a bad address from discovery must not break the browser's stream
    queueMicrotask(() => fail(`cannot open the tap: ${(err as Error).message}`));
    return () => {
      closed = true;
    };
  }
  req.setTimeout(timeoutMs, () => {
    req.destroy();
    fail(`no answer within ${timeoutMs} ms`);
  });
  req.on('error', (err) => fail(`cannot reach the proxy: ${err.message}`));
  return () => {
    closed = true;
    req.destroy();
  };
}
