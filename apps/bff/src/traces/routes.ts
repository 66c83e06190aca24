import type { OtlpExportResponse } from '@meshlens/contract';
import type { TraceSource } from '@meshlens/telemetry';
import express, { type Router } from 'express';
import { HttpError } from '../httpErrors';
import type { BffMetrics } from '../metrics';
import { convertOtlp } from './otlp';
import { traceQueryRoutes } from './queryRoutes';
import { rateLimit } from './rateLimit';
import type { TraceStore } from './store';
import { convertZipkin } from './zipkin';

export interface IngestLimits {
  /** largest accepted request body (default 5 MiB) */
  maxBodyBytes?: number | undefined;
  /** ingest requests per second (default 200) and burst (default 400): many proxies export in batches */
  ratePerSecond?: number | undefined;
  burst?: number | undefined;
}

export interface TraceRoutesDeps {
  store: TraceStore;
  /** where the GET routes read from (the store itself unless Jaeger or Tempo is configured) */
  traceSource: TraceSource;
  metrics: BffMetrics;
  limits: IngestLimits;
  now: () => number;
}

function requireJson(req: express.Request): void {
  if (!req.is('application/json')) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      'only JSON bodies are accepted (OTLP/HTTP JSON, Zipkin v2 JSON); protobuf is not supported',
    );
  }
}

function ingestRoutes(router: Router, deps: TraceRoutesDeps): void {
  const { store, metrics } = deps;
  const limiter = rateLimit({
    ratePerSecond: deps.limits.ratePerSecond ?? 200,
    burst: deps.limits.burst ?? 400,
    now: deps.now,
  });
  const json = express.json({
    limit: deps.limits.maxBodyBytes ?? 5 * 1024 * 1024,
    type: () => true,
  });

  router.post(
    '/v1/traces',
    limiter,
    (req, _res, next) => (requireJson(req), next()),
    json,
    (req, res) => {
      const result = convertOtlp(req.body);
      if ('error' in result) throw new HttpError(400, 'invalid_body', result.error);
      store.add(result.spans);
      metrics.spansReceived.inc({ protocol: 'otlp' }, result.spans.length);
      metrics.spansRejected.inc({ protocol: 'otlp' }, result.rejected);
      const body: OtlpExportResponse = {};
      if (result.rejected > 0) {
        body.partialSuccess = {
          rejectedSpans: result.rejected,
          errorMessage: result.firstError ?? '',
        };
      }
      res.json(body);
    },
  );

  router.post(
    '/api/v2/spans',
    limiter,
    (req, _res, next) => (requireJson(req), next()),
    json,
    (req, res) => {
      const result = convertZipkin(req.body);
      if ('error' in result) throw new HttpError(400, 'invalid_body', result.error);
      store.add(result.spans);
      metrics.spansReceived.inc({ protocol: 'zipkin' }, result.spans.length);
      metrics.spansRejected.inc({ protocol: 'zipkin' }, result.rejected);
      if (result.rejected > 0 && result.spans.length === 0) {
        throw new HttpError(400, 'invalid_body', result.firstError ?? 'no valid span');
      }
      res.status(202).end();
    },
  );
}

export function traceRoutes(router: Router, deps: TraceRoutesDeps): void {
  ingestRoutes(router, deps);
  traceQueryRoutes(router, deps);
}
