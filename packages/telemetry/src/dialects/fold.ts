import type { MetricFamily } from '@meshlens/prom';
import { COL, type DialectName, type FoldResult, type TargetLabels } from '../model';
import { addBucket, addCounter, addExemplar, FoldBuilder, type Draft } from './foldBuilder';
import { istioRouter } from './istio';
import { linkerdRouter } from './linkerd';
import type { Route, RouteMetric, Router } from './route';
import { IncrementTracker, seriesHash, type SeriesState } from './seriesState';

/** Which mesh wrote this scrape, from the metric names in it. */
export function detectDialect(families: readonly MetricFamily[]): DialectName {
  let linkerd = false;
  for (const f of families) {
    if (f.name.startsWith('istio_')) return 'istio';
    if (f.name.startsWith('meshlens_')) return 'meshlens';
    if (f.name === 'response_total' || f.name === 'response' || f.name === 'tcp_open_total')
      linkerd = true;
  }
  return linkerd ? 'linkerd' : 'unknown';
}

const COUNTER_COLUMN: Partial<Record<RouteMetric, number>> = {
  success: COL.success,
  failure: COL.failure,
  tcpOpen: COL.tcpOpenTotal,
  tcpClose: COL.tcpCloseTotal,
  tcpRead: COL.tcpReadBytes,
  tcpWrite: COL.tcpWriteBytes,
};

function apply(route: Route, draft: Draft, value: number, delta: number, istio: boolean): void {
  const col = COUNTER_COLUMN[route.metric];
  if (col !== undefined) addCounter(draft, col, delta, value);
  if (route.metric === 'bucket' && route.le !== undefined) addBucket(draft, route.le, delta, value);
  if (route.metric === 'openGauge') draft.record.openConnections += value;
  if (istio && route.metric === 'tcpOpen') draft.record.openConnections += value;
  if (istio && route.metric === 'tcpClose') draft.record.openConnections -= value;
  const counted =
    route.metric === 'success' || route.metric === 'failure' || route.metric === 'tcpOpen';
  if (counted && route.tls !== undefined) {
    addCounter(draft, route.tls ? COL.tlsRequests : COL.plainRequests, delta, value);
  }
  if (route.clientId) draft.record.clientId = route.clientId;
  if (route.serverId) draft.record.serverId = route.serverId;
}

export interface FoldInput {
  families: readonly MetricFamily[];
  target: TargetLabels;
  state: SeriesState;
  /** number of series in the whole scrape, for target health */
  series: number;
}

/**
 * Folds one target's scrape into neutral records of increments since the previous scrape of the
 * same target (`state`), returning the state for the next scrape.
 */
export function foldScrape(input: FoldInput): { result: FoldResult; state: SeriesState } {
  const dialect = detectDialect(input.families);
  const builder = new FoldBuilder();
  const istio = dialect === 'istio';
  const router: Router = istio
    ? istioRouter(input.target, builder)
    : linkerdRouter(input.target, builder);
  let hint = 0;
  for (const f of input.families) hint += f.samples.length;
  const tracker = new IncrementTracker(input.state, hint);
  for (const family of input.families) {
    const gauge = family.type === 'gauge';
    for (const sample of family.samples) {
      const route = router(sample);
      if (!route) continue;
      const delta = gauge
        ? 0
        : tracker.increment(seriesHash(sample.name, sample.labels), sample.value);
      for (const draft of route.drafts) {
        apply(route, draft, sample.value, delta, istio);
        const ex = sample.exemplar;
        if (ex && route.le !== undefined) {
          const traceId = ex.labels.trace_id ?? ex.labels.traceID ?? ex.labels.traceId;
          if (traceId) {
            const folded = { le: route.le, traceId, value: ex.value };
            addExemplar(
              draft,
              ex.timestampMs === undefined ? folded : { ...folded, timestampMs: ex.timestampMs },
            );
          }
        }
      }
    }
  }
  return {
    result: { dialect, series: input.series, records: builder.finish() },
    state: tracker.finish(),
  };
}
