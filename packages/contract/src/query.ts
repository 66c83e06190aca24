import * as z from 'zod';
import {
  DEFAULT_WINDOW,
  WINDOW_MS,
  WINDOWS,
  type TimeRange,
  type Window,
  RESOURCE_KINDS,
} from './common';

/*
 * Query-string schemas. Input values are strings (URLSearchParams, Express req.query) or already
 * typed values; output is the typed query the BFF hands to a TelemetrySource. Unknown parameters
 * are ignored so the SPA can keep its own view state in the same URL.
 */

const NUMBER_RE = /^-?\d+(\.\d+)?$/;

function toNumber(v: unknown): unknown {
  return typeof v === 'string' && NUMBER_RE.test(v.trim()) ? Number(v.trim()) : v;
}

const epochMs = z.preprocess(
  toNumber,
  z
    .number({ error: 'must be a time in milliseconds since the epoch' })
    .int({ error: 'must be a whole number of milliseconds since the epoch' })
    .nonnegative({ error: 'must not be negative' }),
);

const required = (message: string) => (iss: { input: unknown }) =>
  iss.input === undefined ? 'is required' : message;

const nonEmpty = z
  .string({ error: required('must be a string') })
  .min(1, { error: 'must not be empty' })
  .max(253, { error: 'must be at most 253 characters' });

const windowParam = z.enum(WINDOWS, { error: `must be one of ${WINDOWS.join(', ')}` });

const kindParam = z.enum(RESOURCE_KINDS, {
  error: required(`must be one of ${RESOURCE_KINDS.join(', ')}`),
});

const DURATION_RE = /^(\d+)(ms|s|m|h)$/;
const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses `15000`, `15000ms`, `15s`, `1m`, `1h` into milliseconds. */
export function parseDurationMs(v: string): number | undefined {
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = DURATION_RE.exec(s);
  if (!m?.[1] || !m[2]) return undefined;
  return Number(m[1]) * (DURATION_UNIT_MS[m[2]] ?? Number.NaN);
}

const stepParam = z.preprocess(
  (v) => (typeof v === 'string' ? (parseDurationMs(v) ?? v) : v),
  z
    .number({ error: 'must be a duration such as 15000, 15s or 1m' })
    .int({ error: 'must be whole milliseconds' })
    .min(1000, { error: 'must be at least 1s' }),
);

const booleanParam = z.preprocess(
  (v) => {
    if (v === 'true' || v === '1' || v === '') return true;
    if (v === 'false' || v === '0') return false;
    return v;
  },
  z.boolean({ error: 'must be true or false' }),
);

const nonNegativeNumber = z.preprocess(
  toNumber,
  z.number({ error: 'must be a number' }).nonnegative({ error: 'must not be negative' }),
);

function limitParam(max: number) {
  return z.preprocess(
    toNumber,
    z
      .number({ error: 'must be a whole number' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be at least 1' })
      .max(max, { error: `must be at most ${max}` }),
  );
}

/** Either a `window` or an absolute `from` (and optional `to`, default now). */
export interface TimeSelection {
  window?: Window | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

const timeShape = {
  window: windowParam.optional(),
  from: epochMs.optional(),
  to: epochMs.optional(),
};

/** Max span of an absolute range: longer than any retention we keep, short enough to bound work. */
export const MAX_RANGE_MS = 7 * 24 * 3_600_000;

type Ctx = z.core.$RefinementCtx<TimeSelection>;

function checkTimeSelection(v: TimeSelection, ctx: Ctx): void {
  if (v.window !== undefined && (v.from !== undefined || v.to !== undefined)) {
    const parameter = v.from !== undefined ? 'from' : 'to';
    ctx.addIssue({ code: 'custom', path: [parameter], message: 'cannot be combined with window' });
  }
  if (v.to !== undefined && v.from === undefined) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'is required when to is given' });
  }
  if (v.from !== undefined && v.to !== undefined) {
    if (v.from >= v.to)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (v.to - v.from > MAX_RANGE_MS) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'range must be at most 7 days' });
    }
  }
}

/** Selecting neither window nor from means the default window. */
function withDefaultWindow<T extends TimeSelection>(v: T): T {
  return v.window === undefined && v.from === undefined ? { ...v, window: DEFAULT_WINDOW } : v;
}

/** The absolute range a time selection means at `nowMs`. */
export function resolveTimeRange(sel: TimeSelection, nowMs: number): TimeRange {
  if (sel.from !== undefined) return { from: sel.from, to: sel.to ?? nowMs };
  const window = sel.window ?? DEFAULT_WINDOW;
  return { from: nowMs - WINDOW_MS[window], to: nowMs };
}

export const statQuerySchema = z
  .object({
    kind: kindParam.default('workload'),
    namespace: nonEmpty.optional(),
    name: nonEmpty.optional(),
    ...timeShape,
  })
  .superRefine(checkTimeSelection)
  .transform(withDefaultWindow);
export type StatQuery = z.output<typeof statQuerySchema>;

/** Edges of `kind` resources; with `name` (+`namespace`) only those touching that resource. */
export const edgesQuerySchema = statQuerySchema;
export type EdgesQuery = z.output<typeof edgesQuerySchema>;

export const topologyQuerySchema = z
  .object({
    kind: z
      .enum(['workload', 'service'], { error: 'must be workload or service' })
      .default('workload'),
    namespace: nonEmpty.optional(),
    ...timeShape,
  })
  .superRefine(checkTimeSelection)
  .transform(withDefaultWindow);
export type TopologyQuery = z.output<typeof topologyQuerySchema>;

/** Routes of one service: `namespace` and `name` (the service) are required. */
export const routesQuerySchema = z
  .object({ namespace: nonEmpty, name: nonEmpty, ...timeShape })
  .superRefine(checkTimeSelection)
  .transform(withDefaultWindow);
export type RoutesQuery = z.output<typeof routesQuerySchema>;

/** Max points a time series may have (as Prometheus' 11,000). */
export const MAX_POINTS = 11_000;

interface ResourceSelection extends TimeSelection {
  kind: string;
  namespace?: string | undefined;
  name: string;
  step?: number | undefined;
}

function checkResourceSelection(
  v: ResourceSelection,
  ctx: z.core.$RefinementCtx<ResourceSelection>,
) {
  if (v.kind !== 'namespace' && v.namespace === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['namespace'],
      message: `is required for kind ${v.kind}`,
    });
  }
  checkTimeSelection(v, ctx);
  if (v.step !== undefined) {
    const span = v.window
      ? WINDOW_MS[v.window]
      : v.from !== undefined && v.to !== undefined
        ? v.to - v.from
        : 0;
    if (span / v.step > MAX_POINTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['step'],
        message: `gives more than ${MAX_POINTS} points`,
      });
    }
  }
}

/** For kind `namespace` the namespace is `name`; `namespace` is filled in from it. */
function withNamespace<T extends ResourceSelection>(v: T): T & { namespace: string } {
  return { ...v, namespace: v.namespace ?? v.name };
}

const resourceShape = {
  kind: kindParam,
  namespace: nonEmpty.optional(),
  name: nonEmpty,
  ...timeShape,
};

export const timeseriesQuerySchema = z
  .object({ ...resourceShape, step: stepParam.optional() })
  .superRefine(checkResourceSelection)
  .transform((v) => withNamespace(withDefaultWindow(v)));
export type TimeseriesQuery = z.output<typeof timeseriesQuerySchema>;

export const histogramQuerySchema = z
  .object(resourceShape)
  .superRefine(checkResourceSelection)
  .transform((v) => withNamespace(withDefaultWindow(v)));
export type HistogramQuery = z.output<typeof histogramQuerySchema>;

export const DEFAULT_TRACE_LIMIT = 20;
export const MAX_TRACE_LIMIT = 1000;

/** A JSON object of string (or number/boolean, stringified) values, at most 20 keys. */
const tagsParam = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  },
  z
    .record(
      z.string().min(1).max(200),
      z.union([z.string(), z.number(), z.boolean()]).transform((x) => String(x)),
      { error: 'must be a JSON object like {"http.status_code":"500"}' },
    )
    .refine((o) => Object.keys(o).length <= 20, 'at most 20 tags'),
);

/** Trace search; from/to bound the trace start time (no window default: all stored traces). */
export const tracesQuerySchema = z
  .object({
    service: nonEmpty.optional(),
    /** span name (Jaeger "operation") that one span of the trace must have */
    operation: nonEmpty.optional(),
    /** `{"http.status_code":"500"}`: span or resource attributes one span must carry (JSON, as Jaeger takes it) */
    tags: tagsParam.optional(),
    minDurationMs: nonNegativeNumber.optional(),
    maxDurationMs: nonNegativeNumber.optional(),
    error: booleanParam.optional(),
    window: windowParam.optional(),
    from: epochMs.optional(),
    to: epochMs.optional(),
    limit: limitParam(MAX_TRACE_LIMIT).default(DEFAULT_TRACE_LIMIT),
  })
  .superRefine(checkTimeSelection);
export type TracesQuery = z.output<typeof tracesQuerySchema>;

/** Views the SSE stream can push (`/api/v1/stream?view=stat&kind=...`). */
export const STREAM_VIEWS = ['stat', 'edges', 'topology', 'namespaces', 'status'] as const;
export const streamQuerySchema = z.object({
  view: z.enum(STREAM_VIEWS, { error: `must be one of ${STREAM_VIEWS.join(', ')}` }),
});
export type StreamQuery = z.output<typeof streamQuerySchema>;

export type QueryInput = URLSearchParams | Readonly<Record<string, unknown>>;

export interface QueryIssue {
  /** the query parameter at fault ('' when the query as a whole is wrong) */
  parameter: string;
  message: string;
}

export type QueryResult<T> = { ok: true; value: T } | { ok: false; error: QueryIssue };

/** Flattens a query input to one value per key; a repeated key is an error. */
function flatten(input: QueryInput): QueryResult<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const entries: Iterable<[string, unknown]> =
    input instanceof URLSearchParams ? input.entries() : Object.entries(input);
  for (const [key, value] of entries) {
    if (key in out || Array.isArray(value)) {
      return {
        ok: false,
        error: { parameter: key, message: `parameter ${key} given more than once` },
      };
    }
    if (value !== undefined) out[key] = value;
  }
  return { ok: true, value: out };
}

/**
 * Parses a query string (URLSearchParams or Express req.query) with one of the schemas above.
 * The first problem is reported with the parameter it concerns, ready for a 400.
 */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  input: QueryInput,
): QueryResult<z.output<S>> {
  const flat = flatten(input);
  if (!flat.ok) return flat;
  const result = schema.safeParse(flat.value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const parameter = typeof issue?.path[0] === 'string' ? issue.path[0] : '';
  const message = issue ? issue.message : 'invalid query';
  return {
    ok: false,
    error: { parameter, message: parameter ? `parameter ${parameter}: ${message}` : message },
  };
}

/** Builds a query string from a typed query (undefined values omitted, keys sorted: stable URLs). */
export function toSearchParams(query: Readonly<Record<string, unknown>>): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      params.set(key, String(value));
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      // trace search tags: JSON with sorted keys, the form tracesQuerySchema parses back
      const obj = value as Record<string, unknown>;
      const sorted = Object.fromEntries(
        Object.keys(obj)
          .sort()
          .map((k) => [k, obj[k]]),
      );
      params.set(key, JSON.stringify(sorted));
    }
  }
  return params;
}

/** Stable key for caching a normalized query. */
export function queryKey(view: string, query: Readonly<Record<string, unknown>>): string {
  return `${view}?${toSearchParams(query).toString()}`;
}
