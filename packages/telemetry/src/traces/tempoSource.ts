import type { TraceSummary } from '@meshlens/contract';
import * as z from 'zod';
import { BackendError } from '../backend/backendError';
import { type BackendHttpOptions, createBackendHttp, statusFailure } from '../backend/backendHttp';
import { createHealth } from './health';
import { mapOtlpTrace, nanosToMs, otlpAttributes, otlpTraceSchema } from './otlpJson';
import { keepSummary, newestFirst, padTraceId, summarizeTrace } from './spans';
import { buildTraceQL, traceqlString } from './traceql';
import type { FoundTrace, TraceSearch, TraceSource } from './traceSource';

export interface TempoSourceOptions extends BackendHttpOptions {
  /** Tempo's HTTP API, e.g. http://tempo:3200 (a gateway path prefix is kept) */
  url: string;
  /** searches without a time range look back this far (default 1 h) */
  defaultLookbackMs?: number;
  now?: () => number;
}

const spanSchema = z.object({
  spanID: z.string().optional(),
  attributes: z
    .array(z.object({ key: z.string(), value: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
});
const searchSchema = z.object({
  traces: z
    .array(
      z.object({
        traceID: z.string(),
        rootServiceName: z.string().optional(),
        rootTraceName: z.string().optional(),
        startTimeUnixNano: z.union([z.string().regex(/^\d+$/), z.number()]).optional(),
        durationMs: z.number().optional(),
        spanSet: z
          .object({ spans: z.array(spanSchema).optional(), matched: z.number().optional() })
          .optional(),
        spanSets: z
          .array(
            z.object({ spans: z.array(spanSchema).optional(), matched: z.number().optional() }),
          )
          .optional(),
        serviceStats: z
          .record(
            z.string(),
            z.object({ spanCount: z.number().optional(), errorCount: z.number().optional() }),
          )
          .optional(),
      }),
    )
    .nullable()
    .optional(),
});
type SearchHit = NonNullable<z.infer<typeof searchSchema>['traces']>[number];

const tagValuesSchema = z.object({
  tagValues: z
    .array(z.union([z.string(), z.object({ type: z.string().optional(), value: z.string() })]))
    .nullable()
    .optional(),
});

/**
 * Summary of a search hit. Tempo 2.2+ sends `serviceStats` (span and error counts per service),
 * which makes it exact; older versions only list the matched spans, so span count, services and
 * errors come from those (a lower bound).
 */
export function tempoSummary(hit: SearchHit): TraceSummary | undefined {
  const traceId = padTraceId(hit.traceID);
  if (!traceId) return undefined;
  const services = new Set<string>();
  if (hit.rootServiceName) services.add(hit.rootServiceName);
  let spanCount = 0;
  let errorCount = 0;
  if (hit.serviceStats) {
    for (const [name, st] of Object.entries(hit.serviceStats)) {
      services.add(name);
      spanCount += st.spanCount ?? 0;
      errorCount += st.errorCount ?? 0;
    }
  } else {
    const sets = [...(hit.spanSets ?? []), ...(hit.spanSet && !hit.spanSets ? [hit.spanSet] : [])];
    const seen = new Set<string>();
    for (const set of sets) {
      spanCount = Math.max(spanCount, set.matched ?? 0);
      for (const s of set.spans ?? []) {
        const attrs = otlpAttributes(
          (s.attributes ?? []).map((a) => ({ key: a.key, value: a.value ?? {} })),
        );
        const svc = attrs['service.name'];
        if (typeof svc === 'string') services.add(svc);
        if (s.spanID !== undefined && !seen.has(s.spanID)) {
          seen.add(s.spanID);
          if (attrs.status === 'error') errorCount += 1;
        }
      }
    }
    spanCount = Math.max(spanCount, seen.size);
  }
  return {
    traceId,
    rootService: hit.rootServiceName ?? 'unknown',
    rootName: hit.rootTraceName ?? '',
    startMs: nanosToMs(hit.startTimeUnixNano),
    durationMs: hit.durationMs ?? 0,
    spanCount: Math.max(1, spanCount),
    services: [...services].sort(),
    errorCount,
  };
}

/**
 * Reads Grafana Tempo over its HTTP API: TraceQL search (`/api/search?q=`), trace by id
 * (`/api/v2/traces/{id}`, falling back to `/api/traces/{id}` on Tempo before 2.5), and tag values
 * for the service and operation lists. Send `tenant` for multi-tenant Tempo.
 */
export function createTempoSource(opts: TempoSourceOptions): TraceSource {
  const { url, defaultLookbackMs, now: clock, ...httpOpts } = opts;
  const http = createBackendHttp('tempo', url, httpOpts);
  const now = clock ?? Date.now;
  const lookback = defaultLookbackMs ?? 3_600_000;
  const health = createHealth('tempo', http.baseUrl, now);
  const fail = (detail: string): never => {
    throw new BackendError('tempo', http.baseUrl, { kind: 'invalid_response', detail });
  };

  /** v2 tag values (typed) with the v1 endpoint as fallback for old Tempo */
  async function tagValues(v2Tag: string, v1Tag: string, q?: string): Promise<string[]> {
    const params = new URLSearchParams();
    if (q !== undefined) params.set('q', q);
    let res = await http.request(`/api/v2/search/tag/${encodeURIComponent(v2Tag)}/values`, {
      query: params,
    });
    if (res.status === 404)
      res = await http.request(`/api/search/tag/${encodeURIComponent(v1Tag)}/values`);
    if (res.status < 200 || res.status >= 300)
      throw new BackendError('tempo', http.baseUrl, statusFailure(res));
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return fail('tag values answered with invalid JSON');
    }
    const parsed = tagValuesSchema.safeParse(body);
    if (!parsed.success) return fail('tag values answered an unexpected shape');
    const names = (parsed.data.tagValues ?? []).map((v) => (typeof v === 'string' ? v : v.value));
    return [...new Set(names)].sort();
  }

  async function traceDoc(traceId: string): Promise<unknown> {
    // Tempo answers 404 both for an unknown trace and (before 2.5) for the missing v2 route
    let res = await http.request(`/api/v2/traces/${traceId}`);
    if (res.status === 404) res = await http.request(`/api/traces/${traceId}`);
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status >= 300)
      throw new BackendError('tempo', http.baseUrl, statusFailure(res));
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return fail(`trace ${traceId} answered with invalid JSON`);
    }
    // v2 wraps the trace: {"trace": {...}, "status": ...}
    if (typeof body === 'object' && body !== null && 'trace' in body) return body.trace;
    return body;
  }

  return {
    kind: 'tempo',
    search: (q: TraceSearch) =>
      health.track(async () => {
        const end = q.to ?? now();
        const start = q.from ?? end - lookback;
        const p = new URLSearchParams({
          q: buildTraceQL(q),
          start: String(Math.floor(start / 1000)), // seconds
          end: String(Math.ceil(end / 1000)),
          limit: String(q.limit),
        });
        const parsed = searchSchema.safeParse(await http.getJson('/api/search', p));
        if (!parsed.success) return fail('/api/search answered an unexpected shape');
        const out: TraceSummary[] = [];
        for (const hit of parsed.data.traces ?? []) {
          const s = tempoSummary(hit);
          // seconds-wide bounds above: apply the exact millisecond range here
          if (!s || !keepSummary(s, q)) continue;
          if (
            (q.from !== undefined && s.startMs < q.from) ||
            (q.to !== undefined && s.startMs > q.to)
          )
            continue;
          out.push(s);
        }
        return out.sort(newestFirst).slice(0, q.limit);
      }),
    trace: (traceId) =>
      health.track(async (): Promise<FoundTrace | undefined> => {
        const doc = await traceDoc(traceId);
        if (doc === undefined) return undefined;
        const parsed = otlpTraceSchema.safeParse(doc);
        if (!parsed.success) return fail(`trace ${traceId} has an unexpected shape`);
        const spans = mapOtlpTrace(parsed.data).spans.filter((s) => s.traceId === traceId);
        if (spans.length === 0) return undefined;
        return { summary: summarizeTrace(traceId, spans), spans };
      }),
    services: () => health.track(() => tagValues('resource.service.name', 'service.name')),
    operations: (service) =>
      health.track(() =>
        tagValues('name', 'name', `{ resource.service.name = ${traceqlString(service)} }`),
      ),
    async check() {
      await health
        .track(() => tagValues('resource.service.name', 'service.name'))
        .catch(() => undefined);
      return health.status();
    },
    status: health.status,
    close: () => http.close(),
  };
}
