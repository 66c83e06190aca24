import type { QueryParams } from '../../api/client';
import { parseEnum, toSearch } from '../../lib/search';

/*
 * A tap's filters live in the URL (prefixed `tap`, so they sit beside a resource page's own
 * parameters): a copied link opens the same tap for someone else.
 */
export const TAP_VIEWS = ['calls', 'top'] as const;
export type TapView = (typeof TAP_VIEWS)[number];
export const TAP_KINDS = ['workload', 'service', 'pod', 'namespace'] as const;
export type TapKind = (typeof TAP_KINDS)[number];

export interface TapFilters {
  direction: '' | 'inbound' | 'outbound';
  method: string;
  path: string;
  authority: string;
  toWorkload: string;
  toNamespace: string;
  fromNamespace: string;
  maxRps: string;
  view: TapView;
}

export interface TapResource {
  kind: TapKind;
  namespace: string;
  name: string;
}

export const EMPTY_FILTERS: TapFilters = {
  direction: '',
  method: '',
  path: '',
  authority: '',
  toWorkload: '',
  toNamespace: '',
  fromNamespace: '',
  maxRps: '',
  view: 'calls',
};

const KEYS = {
  direction: 'tapDirection',
  method: 'tapMethod',
  path: 'tapPath',
  authority: 'tapAuthority',
  toWorkload: 'tapTo',
  toNamespace: 'tapToNamespace',
  fromNamespace: 'tapFromNamespace',
  maxRps: 'tapMaxRps',
} as const;

export function parseTapFilters(p: URLSearchParams): TapFilters {
  return {
    direction: parseEnum(p.get(KEYS.direction), ['', 'inbound', 'outbound'] as const, ''),
    method: p.get(KEYS.method) ?? '',
    path: p.get(KEYS.path) ?? '',
    authority: p.get(KEYS.authority) ?? '',
    toWorkload: p.get(KEYS.toWorkload) ?? '',
    toNamespace: p.get(KEYS.toNamespace) ?? '',
    fromNamespace: p.get(KEYS.fromNamespace) ?? '',
    maxRps: p.get(KEYS.maxRps) ?? '',
    view: parseEnum(p.get('tapView'), TAP_VIEWS, 'calls'),
  };
}

/** Writes the filters into `p` (other parameters are kept), empty ones removed. */
export function writeTapFilters(p: URLSearchParams, f: TapFilters): URLSearchParams {
  const out = new URLSearchParams(p);
  for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const v = f[field];
    if (v === '') out.delete(key);
    else out.set(key, v);
  }
  if (f.view === 'calls') out.delete('tapView');
  else out.set('tapView', f.view);
  return out;
}

export function parseTapResource(p: URLSearchParams): TapResource {
  return {
    kind: parseEnum(p.get('kind'), TAP_KINDS, 'workload'),
    namespace: p.get('namespace') ?? '',
    name: p.get('name') ?? '',
  };
}

/** `/tap?kind=&namespace=&name=&tap...`: the tap page of a resource with filters. */
export function buildTapPageUrl(r: TapResource, f: TapFilters): string {
  const p = new URLSearchParams();
  p.set('kind', r.kind);
  if (r.namespace !== '') p.set('namespace', r.namespace);
  if (r.name !== '') p.set('name', r.name);
  return `/tap${toSearch(writeTapFilters(p, f))}`;
}

/** The BFF query of a tap (what GET /api/v1/tap takes). */
export function tapApiQuery(r: TapResource, f: TapFilters): QueryParams {
  return {
    kind: r.kind,
    namespace: r.kind === 'namespace' ? r.name : r.namespace,
    name: r.name,
    direction: f.direction === '' ? undefined : f.direction,
    method: f.method,
    path: f.path,
    authority: f.authority,
    toWorkload: f.toWorkload,
    toNamespace: f.toNamespace,
    fromNamespace: f.fromNamespace,
    maxRps: f.maxRps,
    headers: true,
  };
}
