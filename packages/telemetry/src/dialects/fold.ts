import type { KnownSeries, MetricFamily, Sample } from '@meshlens/prom';
import { aggregateKey, COL, type DialectName, type FoldResult, type TargetLabels } from '../model';
import { addBucket, addCounter, addExemplar, FoldBuilder, type Draft } from './foldBuilder';
import { istioRouter } from './istio';
import { linkerdRouter, ownPodDraft, ownPodOf } from './linkerd';
import type { Route, RouteMetric, Router } from './route';
import {
  cachedRoute,
  NO_ROUTE,
  routeEpoch,
  routeId,
  OWN_POD_SLOT,
  slotDraft as draftOfSlot,
  UNKNOWN_ROUTE,
} from './routeCache';
import { IncrementTracker, seriesHash as labelSeriesHash, type SeriesState } from './seriesState';

const COUNTER_COLUMN: Partial<Record<RouteMetric, number>> = {
  success: COL.success,
  failure: COL.failure,
  tcpOpen: COL.tcpOpenTotal,
  tcpClose: COL.tcpCloseTotal,
  tcpRead: COL.tcpReadBytes,
  tcpWrite: COL.tcpWriteBytes,
};

function apply(
  route: Omit<Route, 'drafts'>,
  draft: Draft,
  value: number,
  delta: number,
  istio: boolean,
): void {
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
export class ScrapeFolder implements KnownSeries {
  private readonly tracker: IncrementTracker;
  private readonly linkerdBuilder = new FoldBuilder();
  private readonly linkerd: Router;
  private istioBuilder: FoldBuilder | undefined;
  private istio: Router | undefined;
  private dialect: DialectName | undefined;
  private sawLinkerd = false;
  private lastFamily: MetricFamily | undefined;
  private lastIsIstio = false;
  /** this scrape's draft of each slot, made on first use */
  private readonly slotDrafts = new Map<number, Draft>();
  /** the previous state's route ids are of the current route table */
  private readonly routesValid: boolean;
  private readonly epoch = routeEpoch;
  /** set by isKnown for the sample that follows: its index in the previous scrape */
  private askedIndex = -1;
  private askedRoute = UNKNOWN_ROUTE;

  constructor(
    private readonly target: TargetLabels,
    state: SeriesState,
    /** expected series in the scrape (sizes the next state) */
    capacityHint: number,
  ) {
    this.tracker = new IncrementTracker(state, capacityHint);
    this.linkerd = linkerdRouter(target, this.linkerdBuilder);
    this.routesValid = state.epoch === routeEpoch;
    const pod = ownPodOf(target);
    this.ownPodKey = pod === undefined ? undefined : aggregateKey({ view: 'pod', resource: pod });
  }

  /**
   * The parser asks before reading a series' labels (text format): known when the previous scrape
   * had the same series (by its hash as written) and remembered where it counted. Istio series
   * are always read in full (their drafts take labels from each sample).
   */
  isKnown(family: MetricFamily, seriesHash: number): boolean {
    if (family !== this.lastFamily) this.enterFamily(family);
    if (this.lastIsIstio) return false;
    // the route table may have started over during this scrape: earlier ids mean nothing then
    if (!this.routesValid || this.epoch !== routeEpoch) return false;
    const index = this.tracker.atWritten(seriesHash);
    this.askedIndex = index;
    this.askedRoute = this.tracker.routeAt(index);
    return this.askedRoute !== UNKNOWN_ROUTE;
  }

  /** A known series' sample: folded where it counted last time. */
  onKnown(family: MetricFamily, seriesHash: number, value: number): void {
    const id = this.askedRoute;
    const index = this.askedIndex;
    const delta = this.tracker.record(this.tracker.hashAt(index), seriesHash, value, index, id);
    const route = cachedRoute(id);
    if (route === undefined) return;
    const counted = family.type === 'gauge' ? 0 : delta;
    for (const slot of route.slots) apply(route, this.slotDraft(slot), value, counted, false);
  }

  /** The parser's sample sink (a bound arrow: pass it as `onSample`). */
  readonly add = (family: MetricFamily, sample: Sample, seriesHash?: number): void => {
    if (family !== this.lastFamily) this.enterFamily(family);
    const istio = this.lastIsIstio;
    const route = istio ? this.istioRouter()(sample) : this.linkerd(sample);
    const gauge = family.type === 'gauge';
    let delta = 0;
    if (seriesHash !== undefined && !istio) {
      // remembered, routed or not, with where it counts and how it was written, so the next
      // scrape reads only its value; its identity stays its name and labels (a series written
      // differently, labels re-spaced or reordered, is still the same series)
      const hash = labelSeriesHash(sample.name, sample.labels);
      const id = route === undefined ? NO_ROUTE : routeId(route, this.ownPodKey);
      delta = this.tracker.record(hash, seriesHash, sample.value, this.tracker.at(hash), id);
    } else if (route !== undefined && !gauge) {
      delta = this.tracker.increment(labelSeriesHash(sample.name, sample.labels), sample.value);
    }
    if (!route) return;
    if (gauge) delta = 0;
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
    const state = this.tracker.finish();
    // ids made after the route table started over mid-scrape would be read in the wrong table
    state.epoch = this.epoch === routeEpoch ? routeEpoch : -1;
    return { result: { dialect, series, records: builder?.finish() ?? [] }, state };
  }

  /** The scraped pod's own aggregate in this scrape (made on first use, as the Linkerd router does). */
  private ownPod(): Draft | undefined {
    this.pod ??= ownPodDraft(this.target, this.linkerdBuilder);
    return this.pod;
  }

  private pod: Draft | undefined;
  private readonly ownPodKey: string | undefined;

  private slotDraft(slot: number): Draft {
    if (slot === OWN_POD_SLOT) return this.ownPod() as Draft;
    let draft = this.slotDrafts.get(slot);
    if (draft === undefined) {
      draft = draftOfSlot(this.linkerdBuilder, slot);
      this.slotDrafts.set(slot, draft);
    }
    return draft;
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
