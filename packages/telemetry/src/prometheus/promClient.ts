import * as z from 'zod';
import { BackendError } from '../backend/backendError';
import {
  type BackendHttp,
  type BackendHttpOptions,
  createBackendHttp,
  statusFailure,
} from '../backend/backendHttp';

const vectorSchema = z.object({
  resultType: z.literal('vector'),
  result: z.array(
    z.object({
      metric: z.record(z.string(), z.string()),
      value: z.tuple([z.number(), z.string()]),
    }),
  ),
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

export interface PromClientOptions extends BackendHttpOptions {
  url: string;
}

/**
 * The few Prometheus HTTP API calls the source needs, with failures turned into clear messages.
 * Only endpoints Thanos, Mimir and Cortex also serve: query, query_range, labels, targets (the
 * latter optional: see the source). Never /api/v1/status/* or /api/v1/metadata.
 */
export class PromClient {
  readonly http: BackendHttp;

  constructor(opts: PromClientOptions) {
    const { url, ...rest } = opts;
    this.http = createBackendHttp('prometheus', url, rest);
  }

  get url(): string {
    return this.http.baseUrl;
  }

  async query(promql: string, timeMs: number): Promise<VectorSample[]> {
    const data = await this.call('/api/v1/query', { query: promql, time: String(timeMs / 1000) });
    const scalar = scalarSchema.safeParse(data);
    if (scalar.success) return [{ labels: {}, value: promFloat(scalar.data.result[1]) }];
    const parsed = vectorSchema.safeParse(data);
    if (!parsed.success) throw this.unexpected(`an unexpected result for ${promql}`);
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
    if (!parsed.success) throw this.unexpected(`an unexpected result for ${promql}`);
    return parsed.data.result.map((r) => ({
      labels: r.metric,
      points: r.values.map(([t, v]) => ({ t: Math.round(t * 1000), v: promFloat(v) })),
    }));
  }

  /** label names of the series matching `match` in [from, to] (GET /api/v1/labels?match[]=) */
  async labelNames(match: string, fromMs: number, toMs: number): Promise<string[]> {
    const data = await this.call('/api/v1/labels', {
      'match[]': match,
      start: String(fromMs / 1000),
      end: String(toMs / 1000),
    });
    const parsed = z.array(z.string()).nullable().safeParse(data);
    if (!parsed.success) throw this.unexpected('an unexpected /api/v1/labels answer');
    return parsed.data ?? [];
  }

  async targets(): Promise<z.infer<typeof targetsSchema>> {
    const parsed = targetsSchema.safeParse(await this.call('/api/v1/targets', { state: 'active' }));
    if (!parsed.success) throw this.unexpected('an unexpected /api/v1/targets answer');
    return parsed.data;
  }

  /**
   * The oldest sample time (ms) the replay slider can reach, found with queries (Thanos and Mimir
   * serve no /api/v1/status/*): the first 5-minute step of the last 24 hours at which any `up`
   * series existed, then the first second within the 5 minutes before it (or within the last 5
   * minutes for a younger server). Undefined when there is none.
   */
  async headMinTime(): Promise<number | undefined> {
    const first = async (promql: string): Promise<number | undefined> => {
      const [sample] = await this.query(promql, Date.now());
      return sample !== undefined && Number.isFinite(sample.value) ? sample.value : undefined;
    };
    const coarse = await first('min_over_time(timestamp(count(up))[24h:5m])');
    const fine = await first(
      // `@` binds to the subquery, not to the function around it (Prometheus rejects that).
      `min_over_time(timestamp(count(up))[5m:1s]${coarse === undefined ? '' : ` @ ${coarse}`})`,
    );
    const seconds = fine ?? coarse;
    return seconds === undefined ? undefined : Math.round(seconds * 1000);
  }

  private unexpected(what: string): BackendError {
    return new BackendError('prometheus', this.url, {
      kind: 'invalid_response',
      detail: `returned ${what}`,
    });
  }

  private async call(path: string, params: Record<string, string>): Promise<unknown> {
    const res = await this.http.request(path, { form: new URLSearchParams(params) });
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    const env = envelopeSchema.safeParse(body);
    if (env.success && env.data.status === 'error') {
      const kind = env.data.errorType ? ` (${env.data.errorType})` : '';
      throw new BackendError('prometheus', this.url, {
        kind: res.status === 404 ? 'not_found' : 'http',
        status: res.status,
        detail: `query failed${kind}: ${env.data.error ?? `HTTP ${res.status}`}`,
      });
    }
    if (res.status < 200 || res.status >= 300)
      throw new BackendError('prometheus', this.url, statusFailure(res));
    if (!env.success) throw this.unexpected(`${path} with a body that is not the API envelope`);
    return env.data.data;
  }
}
