import { enc, parseEnum, toSearch } from '../../lib/search';
import { writeTime, type TimeState } from '../../lib/timeUrl';

export const RESOURCE_TABS = ['metrics', 'edges', 'instances', 'traces', 'routes', 'live'] as const;
export type ResourceTab = (typeof RESOURCE_TABS)[number];
export const RESOURCE_PAGE_KINDS = ['workload', 'service', 'namespace'] as const;
export type ResourcePageKind = (typeof RESOURCE_PAGE_KINDS)[number];

export interface ResourceUrl {
  namespace: string;
  kind: ResourcePageKind;
  name: string;
  tab: ResourceTab;
  time: TimeState;
}

export function parseResourceUrl(
  path: { namespace: string; kind: string; name: string },
  search: string,
  time: TimeState,
): ResourceUrl {
  const p = new URLSearchParams(search);
  return {
    namespace: path.namespace,
    kind: parseEnum(path.kind, RESOURCE_PAGE_KINDS, 'workload'),
    name: path.name,
    tab: parseEnum(p.get('tab'), RESOURCE_TABS, 'metrics'),
    time,
  };
}

export function buildResourceUrl(s: ResourceUrl): string {
  const p = new URLSearchParams();
  if (s.tab !== 'metrics') p.set('tab', s.tab);
  writeTime(p, s.time);
  return `/namespaces/${enc(s.namespace)}/${enc(s.kind)}/${enc(s.name)}${toSearch(p)}`;
}
