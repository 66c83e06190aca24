import type {
  AggregateView,
  EdgeDestination,
  ResourceName,
  RouteRef,
  WorkloadLabels,
} from '../model';
import type { Draft, FoldBuilder } from './foldBuilder';
import type { Route } from './route';

/*
 * What a series counted into, remembered between scrapes so a series seen before is folded from
 * its value alone, its labels not even parsed (the parser's KnownSeries; Prometheus' scrape cache
 * does the same by the series' bytes). Aggregates ("slots") and routes (the slots a series feeds
 * and how: metric, bucket, mTLS, identities) are interned per worker: the pods of a workload share
 * them, so a series costs two bytes (SeriesState.routes) and a target nothing more.
 */

/** An aggregate as FoldBuilder.record takes it, with the labels its drafts carry. */
interface SlotSpec {
  view: AggregateView;
  resource: ResourceName;
  destination: EdgeDestination | undefined;
  route: RouteRef | undefined;
  labels: WorkloadLabels | undefined;
}

/** A route without its drafts: the slots it feeds instead. */
export interface CachedRoute extends Omit<Route, 'drafts'> {
  slots: readonly number[];
}

/**
 * The slot of the scraped pod's own aggregate, resolved per target: with it, the routes of a
 * workload's pods are the same routes (a per-pod slot made every inbound route per-target).
 */
export const OWN_POD_SLOT = -1;

/** Route id 0: not remembered (parse in full); 1: remembered as counting nowhere. */
export const UNKNOWN_ROUTE = 0;
export const NO_ROUTE = 1;
/** Interned slots or routes per worker before both tables start over (ids fit SeriesState's uint16). */
const MAX_ENTRIES = 1 << 16;

let slots: SlotSpec[] = [];
let slotIds = new Map<string, number>();
let routes: (CachedRoute | undefined)[] = [undefined, undefined];
let routeIds = new Map<string, number>();
/** client/server identities, kept once each: every route of an edge names the same one */
let identities = new Map<string, number>();
let identityList: string[] = [];
/** Bumped when the tables start over; a state's ids are valid only for its own epoch. */
export let routeEpoch = 0;

/**
 * A copy of strings (and the objects holding them) to keep beyond the scrape: label values are
 * slices of the scrape's text, and one kept in a table would keep the whole text alive (measured:
 * a body of ~470 KB per target). Made only when a table gains an entry.
 */
function own<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Drops every remembered route and aggregate (the tables also start over by themselves when
 * full): series of states made before are parsed in full on their next scrape.
 */
export function forgetRoutes(): void {
  slots = [];
  slotIds = new Map();
  routes = [undefined, undefined];
  routeIds = new Map();
  identities = new Map();
  identityList = [];
  routeEpoch++;
}

function slotOf(draft: Draft): number {
  const r = draft.record;
  // the labels too: pods of one workload may run different versions
  const key = r.labels === undefined ? draft.key : `${draft.key}\u0000${JSON.stringify(r.labels)}`;
  const known = slotIds.get(key);
  if (known !== undefined) return known;
  slots.push(
    own({
      view: r.view,
      resource: r.resource,
      destination: r.destination,
      route: r.route,
      labels: r.labels,
    }),
  );
  slotIds.set(own(key), slots.length - 1);
  return slots.length - 1;
}

/** A small number for an identity (kept as an owned copy), -1 for none. */
function identityId(id: string | undefined): number {
  if (id === undefined) return -1;
  const known = identities.get(id);
  if (known !== undefined) return known;
  identityList.push(own(id));
  identities.set(identityList[identityList.length - 1] as string, identityList.length - 1);
  return identityList.length - 1;
}

/** The slot's draft in a scrape's builder. */
export function slotDraft(builder: FoldBuilder, slot: number): Draft {
  const spec = slots[slot] as SlotSpec;
  const draft = builder.record(spec.view, spec.resource, spec.destination, spec.route);
  if (spec.labels !== undefined) draft.record.labels = spec.labels;
  return draft;
}

export function cachedRoute(id: number): CachedRoute | undefined {
  return routes[id];
}

/**
 * The id of a route (its drafts interned as slots), valid while `routeEpoch` holds. `ownPodKey`:
 * the aggregate key of the scraped pod's own aggregate, if the target has one (OWN_POD_SLOT).
 */
export function routeId(route: Route, ownPodKey: string | undefined): number {
  if (slots.length >= MAX_ENTRIES || routes.length >= MAX_ENTRIES) forgetRoutes();
  const ids = route.drafts.map((d) => (d.key === ownPodKey ? OWN_POD_SLOT : slotOf(d)));
  const client = identityId(route.clientId);
  const server = identityId(route.serverId);
  const key = `${route.metric}|${route.le}|${route.tls}|${client}|${server}|${ids.join(',')}`;
  const known = routeIds.get(key);
  if (known !== undefined) return known;
  const cached: CachedRoute = { metric: route.metric, slots: ids };
  if (route.le !== undefined) cached.le = route.le;
  if (route.tls !== undefined) cached.tls = route.tls;
  if (client >= 0) cached.clientId = identityList[client] as string;
  if (server >= 0) cached.serverId = identityList[server] as string;
  routes.push(cached);
  // built of numbers and short words: no slice of the scrape in it
  routeIds.set(key, routes.length - 1);
  return routes.length - 1;
}
