import type { TraceSummary } from '@meshlens/contract';
import * as z from 'zod';
import { BackendError } from '../backend/backendError';
import { type BackendHttpOptions, createBackendHttp, statusFailure } from '../backend/backendHttp';
import { createHealth, mapLimited } from './health';
import {
  type JaegerTrace,
  jaegerEnvelopeSchema,
  jaegerTraceSchema,
  mapJaegerTrace,
} from './jaegerModel';
import { keepSummary, newestFirst, summarizeTrace } from './spans';
import type { FoundTrace, TraceSearch, TraceSource } from './traceSource';

export interface JaegerSourceOptions extends BackendHttpOptions {
  /** the query service, e.g. http://jaeger-query:16686 (a base path such as /jaeger is kept) */
  url: string;
  /** searches without a time range look back this far (default 1 h) */
  defaultLookbackMs?: number;
  /** searches without a service ask this many services at once (default 4) */
  fanOutConcurrency?: number;
  now?: () => number;
}

const stringList = z.array(z.string()).nullable();

/** Jaeger takes Go durations; whole microseconds keep any millisecond value exact. */
export function jaegerDuration(ms: number): string {
  return `${Math.round(ms * 1000)}us`;
}

/**
 * Reads a Jaeger query service over its HTTP JSON API (v1, the one every Jaeger UI release uses):
 * `/api/services`, `/api/services/{s}/operations`, `/api/traces` and `/api/traces/{id}`.
 * api_v3 is not used: its FindTraces needs the same round trips and returns whole OTLP traces as
 * well, and its trace-summaries endpoint exists only in 2026 releases.
 */
export function createJaegerSource(opts: JaegerSourceOptions): TraceSource {
  const { url, defaultLookbackMs, fanOutConcurrency, now: clock, ...httpOpts } = opts;
  const http = createBackendHttp('jaeger', url, httpOpts);
  const now = clock ?? Date.now;
  const lookback = defaultLookbackMs ?? 3_600_000;
  const health = createHealth('jaeger', http.baseUrl, now);
  const fail = (detail: string): never => {
    throw new BackendError('jaeger', http.baseUrl, { kind: 'invalid_response', detail });
  };

  async function data(path: string, query?: URLSearchParams): Promise<unknown> {
    const env = jaegerEnvelopeSchema.safeParse(await http.getJson(path, query));
    if (!env.success) return fail(`${path} answered without the {"data": ...} envelope`);
    const first = env.data.errors?.[0];
    if (first && (env.data.data === null || env.data.data === undefined))
      return fail(`${path} failed: ${first.msg ?? `code ${first.code ?? '?'}`}`);
    return env.data.data;
  }

  function mapTraces(raw: unknown): FoundTrace[] {
    const parsed = z.array(jaegerTraceSchema).nullable().safeParse(raw);
    if (!parsed.success)
      return fail(
        `answered traces of an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    const out: FoundTrace[] = [];
    for (const t of parsed.data ?? []) {
      const mapped = mapJaegerTrace(t);
      if (mapped && mapped.spans.length > 0)
        out.push({ summary: summarizeTrace(mapped.traceId, mapped.spans), spans: mapped.spans });
    }
    return out;
  }

  async function searchService(q: TraceSearch, service: string): Promise<TraceSummary[]> {
    const end = q.to ?? now();
    const start = q.from ?? end - lookback;
    const p = new URLSearchParams({
      service,
      start: String(Math.floor(start * 1000)), // microseconds
      end: String(Math.ceil(end * 1000)),
      limit: String(q.limit),
    });
    if (q.operation !== undefined) p.set('operation', q.operation);
    const tags: Record<string, string> = { ...q.tags };
    if (q.error === true) tags.error = 'true';
    const keys = Object.keys(tags).sort(); // a stable query string
    if (keys.length > 0)
      p.set('tags', JSON.stringify(Object.fromEntries(keys.map((k) => [k, tags[k]]))));
    if (q.minDurationMs !== undefined) p.set('minDuration', jaegerDuration(q.minDurationMs));
    if (q.maxDurationMs !== undefined) p.set('maxDuration', jaegerDuration(q.maxDurationMs));
    const found = mapTraces(await data('/api/traces', p));
    return found.map((f) => f.summary);
  }

  async function services(): Promise<string[]> {
    const parsed = stringList.safeParse(await data('/api/services'));
    if (!parsed.success) return fail('/api/services answered an unexpected shape');
    return [...(parsed.data ?? [])].sort();
  }

  return {
    kind: 'jaeger',
    search: (q) =>
      health.track(async () => {
        // Jaeger searches one service at a time: without one, ask every service and merge
        const names = q.service !== undefined ? [q.service] : await services();
        const lists = await mapLimited(names, fanOutConcurrency ?? 4, (s) => searchService(q, s));
        const byId = new Map<string, TraceSummary>();
        for (const s of lists.flat()) if (keepSummary(s, q)) byId.set(s.traceId, s);
        return [...byId.values()].sort(newestFirst).slice(0, q.limit);
      }),
    trace: (traceId) =>
      health.track(async () => {
        const res = await http.request(`/api/traces/${traceId}`);
        if (res.status === 404) return undefined;
        if (res.status < 200 || res.status >= 300)
          throw new BackendError('jaeger', http.baseUrl, statusFailure(res));
        let body: unknown;
        try {
          body = JSON.parse(res.body);
        } catch {
          return fail(`/api/traces/${traceId} answered with invalid JSON`);
        }
        const env = jaegerEnvelopeSchema.safeParse(body);
        if (!env.success) return fail(`/api/traces/${traceId} answered an unexpected shape`);
        const traces: FoundTrace[] = mapTraces(env.data.data ?? []);
        return traces.find((t) => t.summary.traceId === traceId);
      }),
    services: () => health.track(services),
    operations: (service) =>
      health.track(async () => {
        const path = `/api/services/${encodeURIComponent(service)}/operations`;
        const parsed = stringList.safeParse(await data(path));
        if (!parsed.success) return fail(`${path} answered an unexpected shape`);
        return [...(parsed.data ?? [])].sort();
      }),
    async check() {
      await health.track(services).catch(() => undefined);
      return health.status();
    },
    status: health.status,
    close: () => http.close(),
  };
}

export type { JaegerTrace };
