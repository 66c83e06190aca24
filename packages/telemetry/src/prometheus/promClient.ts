import { z } from 'zod';
import { UpstreamError } from '../errors';

const vectorSchema = z.object({
  resultType: z.literal('vector'),
  result: z.array(
    z.object({
      metric: z.record(z.string(), z.string()),
      value: z.tuple([z.number(), z.string()]),
    }),
  ),
});
const tsdbSchema = z.object({
  headStats: z.object({ numSeries: z.number(), minTime: z.number() }),
});

const matrixSchema = z.object({
  resultType: z.literal('matrix'),
  result: z.array(
    z.object({
      metric: z.record(z.string(), z.string()),
      values: z.array(z.tuple([z.number(), z.string()])),
    }),
  ),
});
const scalarSchema = z.object({
  resultType: z.literal('scalar'),
  result: z.tuple([z.number(), z.string()]),
});
const envelopeSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

export const targetsSchema = z.object({
  activeTargets: z.array(
    z.object({
      scrapeUrl: z.string(),
      labels: z.record(z.string(), z.string()),
      health: z.string(),
      lastError: z.string().optional(),
      lastScrape: z.string().optional(),
      lastScrapeDuration: z.number().optional(),
    }),
  ),
});

export interface VectorSample {
  labels: Record<string, string>;
  value: number;
}

export interface SeriesValues {
  labels: Record<string, string>;
  points: { t: number; v: number }[];
}

/** Prometheus writes floats as strings ("NaN", "+Inf" included). */
export function promFloat(s: string): number {
  if (s === '+Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(s);
}

export interface PromClientOptions {
  url: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/** The few Prometheus HTTP API calls the source needs, with failures turned into clear messages. */
export class PromClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: PromClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async query(promql: string, timeMs: number): Promise<VectorSample[]> {
    const data = await this.call('/api/v1/query', { query: promql, time: String(timeMs / 1000) });
    const scalar = scalarSchema.safeParse(data);
    if (scalar.success) return [{ labels: {}, value: promFloat(scalar.data.result[1]) }];
    const parsed = vectorSchema.safeParse(data);
    if (!parsed.success)
      throw new UpstreamError(`Prometheus returned an unexpected result for ${promql}`);
    return parsed.data.result.map((r) => ({ labels: r.metric, value: promFloat(r.value[1]) }));
  }

  async queryRange(
    promql: string,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<SeriesValues[]> {
    const data = await this.call('/api/v1/query_range', {
      query: promql,
      start: String(fromMs / 1000),
      end: String(toMs / 1000),
      step: String(stepMs / 1000),
    });
    const parsed = matrixSchema.safeParse(data);
    if (!parsed.success)
      throw new UpstreamError(`Prometheus returned an unexpected result for ${promql}`);
    return parsed.data.result.map((r) => ({
      labels: r.metric,
      points: r.values.map(([t, v]) => ({ t: Math.round(t * 1000), v: promFloat(v) })),
    }));
  }

  async targets(): Promise<z.infer<typeof targetsSchema>> {
    const parsed = targetsSchema.safeParse(await this.call('/api/v1/targets', { state: 'active' }));
    if (!parsed.success)
      throw new UpstreamError('Prometheus returned an unexpected /api/v1/targets answer');
    return parsed.data;
  }

  /**
   * The oldest sample time in Prometheus' head block (ms), undefined when it holds none. Older
   * persisted blocks exist on a long-running server; the head is what answers fast.
   */
  async headMinTime(): Promise<number | undefined> {
    const parsed = tsdbSchema.safeParse(await this.call('/api/v1/status/tsdb', {}, 'GET'));
    if (!parsed.success)
      throw new UpstreamError('Prometheus returned an unexpected /api/v1/status/tsdb answer');
    const { minTime, numSeries } = parsed.data.headStats;
    // An empty head reports minTime as the max int64: no sample yet.
    return numSeries > 0 && minTime < Number.MAX_SAFE_INTEGER ? minTime : undefined;
  }

  private async call(
    path: string,
    params: Record<string, string>,
    method: 'GET' | 'POST' = 'POST',
  ): Promise<unknown> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.opts.headers },
        ...(method === 'POST' ? { body: new URLSearchParams(params).toString() } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new UpstreamError(describeFetchError(err, this.base, this.timeoutMs));
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamError(
        `Prometheus at ${this.base} answered ${path} with HTTP ${res.status} and no JSON`,
      );
    }
    const env = envelopeSchema.safeParse(body);
    if (!env.success)
      throw new UpstreamError(
        `Prometheus at ${this.base} answered ${path} with an unexpected body`,
      );
    if (env.data.status === 'error') {
      const kind = env.data.errorType ? ` (${env.data.errorType})` : '';
      throw new UpstreamError(
        `Prometheus query failed${kind}: ${env.data.error ?? `HTTP ${res.status}`}`,
      );
    }
    return env.data.data;
  }
}

function describeFetchError(err: unknown, base: string, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `Prometheus at ${base} did not answer within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  const code = cause && 'code' in cause ? String(cause.code) : undefined;
  if (code === 'ECONNREFUSED') return `Prometheus at ${base} is unreachable: connection refused`;
  if (code === 'ENOTFOUND') return `Prometheus at ${base} is unreachable: host not found`;
  return `Prometheus at ${base} is unreachable: ${cause?.message ?? (err instanceof Error ? err.message : String(err))}`;
}
