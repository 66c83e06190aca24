import type { DiagnosisResponse, SourceDiagnosis } from '@meshlens/contract';
import type { PrometheusSource, TelemetrySource, TraceSource } from '@meshlens/telemetry';
import type { Router } from 'express';

export interface DiagnosisDeps {
  source: TelemetrySource;
  traceSource: TraceSource;
  now: () => number;
  /** answers are reused this long: each run costs the backends several queries (default 10 s) */
  maxAgeMs?: number;
}

function isPrometheus(s: TelemetrySource): s is PrometheusSource {
  return s.kind === 'prometheus' && 'diagnose' in s;
}

async function metricsDiagnosis(source: TelemetrySource): Promise<SourceDiagnosis> {
  const st = source.status();
  const base: SourceDiagnosis = {
    role: 'metrics',
    kind: source.kind,
    url: null,
    healthy: st.healthy,
    error: st.lastError,
    dialect: null,
    families: [],
    queries: [],
    hints: [],
  };
  if (!isPrometheus(source)) {
    base.hints.push(
      source.kind === 'embedded'
        ? 'The embedded scraper reads the proxies directly: the scrape targets below show each one and why it is down.'
        : 'The fixture source serves a synthetic mesh.',
    );
    return base;
  }
  base.url = source.url;
  try {
    const d = await source.diagnose();
    return { ...base, healthy: true, error: null, ...d };
  } catch (err) {
    return { ...base, healthy: false, error: err instanceof Error ? err.message : String(err) };
  }
}

async function tracesDiagnosis(source: TraceSource): Promise<SourceDiagnosis> {
  const st = await source.check();
  const hints: string[] = [];
  if (st.kind === 'memory')
    hints.push(
      'Traces are kept in the dashboard’s memory (OTLP and Zipkin ingest); they are lost on restart.',
    );
  return {
    role: 'traces',
    kind: st.kind,
    url: st.url,
    healthy: st.healthy,
    error: st.lastError,
    dialect: null,
    families: [],
    queries: [],
    hints,
  };
}

/** GET /api/v1/diagnosis: per source, reachable or how it failed, and what it holds. */
export function diagnosisRoutes(router: Router, deps: DiagnosisDeps): void {
  const maxAge = deps.maxAgeMs ?? 10_000;
  let cached: { at: number; body: Promise<DiagnosisResponse> } | undefined;
  const compute = async (): Promise<DiagnosisResponse> => {
    const sources = await Promise.all([
      metricsDiagnosis(deps.source),
      tracesDiagnosis(deps.traceSource),
    ]);
    return { generatedAt: deps.now(), sources };
  };
  router.get('/api/v1/diagnosis', async (_req, res) => {
    const now = deps.now();
    if (!cached || now - cached.at > maxAge) cached = { at: now, body: compute() };
    res.json(await cached.body);
  });
}
