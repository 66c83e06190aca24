import type { OtlpExportResponse } from '@meshlens/contract';
import type { TraceSource } from '@meshlens/telemetry';
import express, { type ErrorRequestHandler, type Router } from 'express';
import { HttpError, toHttpError } from '../httpErrors';
import type { BffMetrics } from '../metrics';
import type { OtlpIngest } from './ingest';
import { RPC_CODE, encodeStatus, encodeTraceResponse } from './otlpProto';
import { traceQueryRoutes } from './queryRoutes';
import { rateLimit } from './rateLimit';
import type { TraceStore } from './store';
import { convertZipkin } from './zipkin';

export interface TraceRoutesDeps {
  store: TraceStore;
  /** where the GET routes read from (the store itself unless Jaeger or Tempo is configured) */
  traceSource: TraceSource;
  metrics: BffMetrics;
  ingest: OtlpIngest;
  now: () => number;
}

const PROTOBUF_TYPES = ['application/x-protobuf', 'application/protobuf'];

function isProtobuf(req: express.Request): boolean {
  return typeof req.is(PROTOBUF_TYPES) === 'string';
}

function requireJson(req: express.Request): void {
  if (!req.is('application/json')) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      'accepted bodies: OTLP/HTTP as application/json or application/x-protobuf, Zipkin v2 as application/json',
    );
  }
}

/**
 * OTLP/HTTP says a failed protobuf request gets a protobuf google.rpc.Status body (same status
 * code and headers as the JSON error, so Retry-After still reaches the exporter).
 */
const otlpProtobufErrors: ErrorRequestHandler = (err: unknown, req, res, next) => {
  const known = toHttpError(err);
  if (!isProtobuf(req) || !known || res.headersSent) return next(err);
  const code = known.status === 429 ? RPC_CODE.RESOURCE_EXHAUSTED : RPC_CODE.INVALID_ARGUMENT;
  for (const [k, v] of Object.entries(known.headers)) res.setHeader(k, v);
  res
    .status(known.status)
    .type('application/x-protobuf')
    .send(Buffer.from(encodeStatus(code, known.message)));
};

function otlpRoute(router: Router, deps: TraceRoutesDeps): void {
  const { ingest } = deps;
  // body-parser inflates gzip/deflate itself and applies the limit to the inflated size; the
  // bytes are decoded by the ingest's decoder (large bodies off the event loop).
  const raw = express.raw({ limit: ingest.maxBodyBytes, type: () => true });

  router.post(
    '/v1/traces',
    rateLimit(ingest.bucket),
    (req, res, next) => {
      if (!isProtobuf(req)) requireJson(req);
      raw(req, res, next);
    },
    async (req, res) => {
      const proto = isProtobuf(req);
      if (!(req.body instanceof Buffer) || req.body.byteLength === 0) {
        throw new HttpError(400, 'invalid_body', 'empty body');
      }
      const encoding = proto ? 'protobuf' : 'json';
      const result = await ingest.exportTraces({ encoding, bytes: req.body }, 'otlp');
      if (!result.ok) throw new HttpError(400, 'invalid_body', result.error);
      if (proto) {
        res.type('application/x-protobuf').send(Buffer.from(encodeTraceResponse(result.partial)));
        return;
      }
      const out: OtlpExportResponse = {};
      if (result.partial) out.partialSuccess = result.partial;
      res.json(out);
    },
  );
  router.use('/v1/traces', otlpProtobufErrors);
}

function zipkinRoute(router: Router, deps: TraceRoutesDeps): void {
  const { store, metrics } = deps;
  const json = express.json({ limit: deps.ingest.maxBodyBytes, type: () => true });
  router.post(
    '/api/v2/spans',
    rateLimit(deps.ingest.bucket),
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
  otlpRoute(router, deps);
  zipkinRoute(router, deps);
  traceQueryRoutes(router, deps);
}
