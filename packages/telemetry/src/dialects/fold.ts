import type { MetricFamily, Sample } from '@meshlens/prom';
import { COL, type DialectName, type FoldResult, type TargetLabels } from '../model';
import { addBucket, addCounter, addExemplar, FoldBuilder, type Draft } from './foldBuilder';
import { istioRouter } from './istio';
import { linkerdRouter } from './linkerd';
import type { Route, RouteMetric, Router } from './route';
import { IncrementTracker, seriesHash, type SeriesState } from './seriesState';

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

/**
 * Folds one target's scrape, sample by sample as the parser reads it, into neutral records of
 * increments since the previous scrape of the same target (`state`); `finish` returns them with
 * the state for the next scrape. Nothing of a sample is kept past `add`, so a scrape's thousands
 * of samples die young. A parse that fails midway leaves `state` as it was: drop the folder.
 *
 * Which mesh wrote the scrape (the router that counts) is known only once its families are seen:
 * `istio_*` samples go to the Istio router, every other sample to the Linkerd one (also meshlens'),
 * each with its own builder, and `finish` keeps the records of the dialect the scrape turned out to
 * be: the first `istio_`/`meshlens_` family to report a sample decides, else Linkerd's
 * `response_total`/`tcp_open_total`. A scrape is one mesh's, so only one builder ever fills.
 */
export class ScrapeFolder {
  private readonly tracker: IncrementTracker;
  private readonly linkerdBuilder = new FoldBuilder();
  private readonly linkerd: Router;
  private istioBuilder: FoldBuilder | undefined;
  private istio: Router | undefined;
  private dialect: DialectName | undefined;
  private sawLinkerd = false;
  private lastFamily: MetricFamily | undefined;
  private lastIsIstio = false;

  constructor(
    private readonly target: TargetLabels,
    state: SeriesState,
    /** expected series in the scrape (sizes the next state) */
    capacityHint: number,
  ) {
    this.tracker = new IncrementTracker(state, capacityHint);
    this.linkerd = linkerdRouter(target, this.linkerdBuilder);
  }

  /** The parser's sample sink (a bound arrow: pass it as `onSample`). */
  readonly add = (family: MetricFamily, sample: Sample): void => {
    if (family !== this.lastFamily) this.enterFamily(family);
    const istio = this.lastIsIstio;
    const route = istio ? this.istioRouter()(sample) : this.linkerd(sample);
    if (!route) return;
    const delta =
      family.type === 'gauge'
        ? 0
        : this.tracker.increment(seriesHash(sample.name, sample.labels), sample.value);
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
  };

  finish(series: number): { result: FoldResult; state: SeriesState } {
    const dialect = this.dialect ?? (this.sawLinkerd ? 'linkerd' : 'unknown');
    const builder = dialect === 'istio' ? this.istioBuilder : this.linkerdBuilder;
    return {
      result: { dialect, series, records: builder?.finish() ?? [] },
      state: this.tracker.finish(),
    };
  }

  private enterFamily(family: MetricFamily): void {
    this.lastFamily = family;
    const name = family.name;
    this.lastIsIstio = name.startsWith('istio_');
    if (this.dialect !== undefined) return;
    if (this.lastIsIstio) this.dialect = 'istio';
    else if (name.startsWith('meshlens_')) this.dialect = 'meshlens';
    else if (name === 'response_total' || name === 'response' || name === 'tcp_open_total')
      this.sawLinkerd = true;
  }

  private istioRouter(): Router {
    if (this.istio === undefined) {
      this.istioBuilder = new FoldBuilder();
      this.istio = istioRouter(this.target, this.istioBuilder);
    }
    return this.istio;
  }
}
