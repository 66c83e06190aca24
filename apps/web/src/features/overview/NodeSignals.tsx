import type { TimeseriesResponse } from '@meshlens/contract';
import { Sparkline } from '../../components/Sparkline';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';

export interface NodeSignalsProps {
  rps: number;
  successRate: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** the quantiles are the maximum over several resources (a collapsed box) */
  latencyIsMax: boolean;
  series: TimeseriesResponse | undefined;
  seriesError: string | undefined;
  /**
   * Trends recorded by the page itself where the API has no series (an edge), and what they
   * cover; used when `series` is undefined.
   */
  recorded?: { points: readonly TrendPoint[]; note: string } | undefined;
}

export interface TrendPoint {
  successRate: number | null;
  rps: number;
  p99: number | null;
}

/** Headline signals of the selection, each with its trend over the page's period. */
export function NodeSignals(p: NodeSignalsProps) {
  const points: readonly TrendPoint[] = p.series?.points ?? p.recorded?.points ?? [];
  const trend = (label: string, values: (number | null)[]) =>
    p.series || p.recorded ? <Sparkline values={values} label={label} /> : null;
  return (
    <>
      <dl className="kv">
        <dt>Success</dt>
        <dd>
          {formatPercent(p.successRate)}{' '}
          {trend(
            'Success rate trend',
            points.map((x) => x.successRate),
          )}
        </dd>
        <dt>RPS</dt>
        <dd>
          {formatRps(p.rps)}{' '}
          {trend(
            'RPS trend',
            points.map((x) => x.rps),
          )}
        </dd>
        <dt>{p.latencyIsMax ? 'Max of P50 / P95 / P99' : 'P50 / P95 / P99'}</dt>
        <dd>
          {formatLatency(p.latencyMs.p50)} / {formatLatency(p.latencyMs.p95)} /{' '}
          {formatLatency(p.latencyMs.p99)}{' '}
          {trend(
            'P99 trend',
            points.map((x) => x.p99),
          )}
        </dd>
      </dl>
      {p.latencyIsMax && (
        <p className="muted">
          Percentiles cannot be added up: these are the highest of the members', not the percentiles
          of their combined traffic.
        </p>
      )}
      {p.seriesError && <p className="muted">Trends unavailable: {p.seriesError}</p>}
      {!p.series && p.recorded && <p className="muted">{p.recorded.note}</p>}
    </>
  );
}
