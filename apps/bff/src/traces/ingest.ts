import type { BffMetrics } from '../metrics';
import type { OtlpPayload } from './decode';
import { type OtlpDecoder, type OtlpDecoderOptions, createOtlpDecoder } from './decodePool';
import type { PartialSuccess } from './otlpProto';
import { type TokenBucket, tokenBucket } from './rateLimit';
import type { TraceStore } from './store';

export interface IngestLimits {
  /** largest accepted request body, after decompression (default 5 MiB) */
  maxBodyBytes?: number | undefined;
  /** ingest requests per second (default 200) and burst (default 400): many proxies export in batches */
  ratePerSecond?: number | undefined;
  burst?: number | undefined;
}

export type OtlpExportResult =
  { ok: true; partial: PartialSuccess | undefined } | { ok: false; error: string };

/** What every OTLP receiver (HTTP JSON, HTTP protobuf, gRPC) shares: one store, one rate limit. */
export interface OtlpIngest {
  readonly bucket: TokenBucket;
  readonly maxBodyBytes: number;
  /** decodes an ExportTraceServiceRequest (large ones off the event loop) and stores its spans */
  exportTraces(payload: OtlpPayload, protocol: string): Promise<OtlpExportResult>;
  readonly decoder: OtlpDecoder;
  close(): Promise<void>;
}

export interface OtlpIngestDeps {
  store: TraceStore;
  metrics: BffMetrics;
  limits: IngestLimits;
  now: () => number;
  decoder?: OtlpDecoderOptions;
}

export function createOtlpIngest(deps: OtlpIngestDeps): OtlpIngest {
  const bucket = tokenBucket({
    ratePerSecond: deps.limits.ratePerSecond ?? 200,
    burst: deps.limits.burst ?? 400,
    now: deps.now,
  });
  const decoder = createOtlpDecoder(deps.decoder);
  return {
    bucket,
    decoder,
    maxBodyBytes: deps.limits.maxBodyBytes ?? 5 * 1024 * 1024,
    close: () => decoder.close(),
    async exportTraces(payload, protocol) {
      const result = await decoder.decode(payload);
      if ('error' in result) return { ok: false, error: result.error };
      deps.store.add(result.spans);
      deps.metrics.spansReceived.inc({ protocol }, result.spans.length);
      deps.metrics.spansRejected.inc({ protocol }, result.rejected);
      const partial =
        result.rejected > 0
          ? { rejectedSpans: result.rejected, errorMessage: result.firstError ?? '' }
          : undefined;
      return { ok: true, partial };
    },
  };
}
