import { describe, expect, it } from 'vitest';
import { buildMeshHealthUrl, parseMeshHealthUrl } from './controlplane/url';
import { buildOverviewUrl, parseOverviewUrl } from './overview/url';
import { buildResourceUrl, parseResourceUrl } from './resource/url';
import { buildTraceViewUrl, buildTracesUrl, parseTraceViewUrl, parseTracesUrl } from './traces/url';
import { defaultWindowFor } from '../lib/timeDefaults';
import { parseTime } from '../lib/timeUrl';

/** What the TimeProvider hands each page for this URL. */
const t = (search: string, path = '/') =>
  parseTime(new URLSearchParams(search), defaultWindowFor(path));

function split(url: string): { path: string; search: string } {
  const i = url.indexOf('?');
  return i < 0 ? { path: url, search: '' } : { path: url.slice(0, i), search: url.slice(i) };
}

function decodeSegments(path: string): string[] {
  return path.split('/').filter(Boolean).map(decodeURIComponent);
}

describe('overview URL', () => {
  it('defaults produce the bare root', () => {
    expect(buildOverviewUrl(parseOverviewUrl(undefined, '', t('')))).toBe('/');
  });

  it.each([
    [
      undefined,
      '?kind=service&q=web&sort=-p99&sel=workload%3Ashop%2Fweb&warn=97.5&fail=80&window=15m&refresh=off',
    ],
    ['shop', '?sort=name&from=1000&to=5000'],
    // an edge selected and a trace's path shown
    ['shop', `?sel=workload%3Ashop%2Fweb-%3Eworkload%3Ashop%2Fcart&trace=${'ab'.repeat(16)}`],
    ['<img src=x onerror=alert(1)>', '?q=%3Cb%3E'],
  ])('round-trips namespace %s with %s', (ns, search) => {
    const state = parseOverviewUrl(ns, search, t(search));
    const built = buildOverviewUrl(state);
    const { path, search: s2 } = split(built);
    const segs = decodeSegments(path);
    const again = parseOverviewUrl(segs[1], s2, t(s2));
    expect(again).toEqual(state);
  });

  it('parses every field', () => {
    const search = '?kind=service&q=web&sort=-p99&sel=x&warn=97.5&fail=80&refresh=off';
    const s = parseOverviewUrl('shop', search, t(search));
    expect(s).toEqual({
      namespace: 'shop',
      kind: 'service',
      filter: 'web',
      sort: { key: 'p99', dir: 'desc' },
      selected: 'x',
      thresholds: { warning: 0.975, failing: 0.8 },
      time: { range: { kind: 'window', window: '1m' }, refreshMs: 0 },
      find: '',
      hide: '',
      edgeLabel: 'rps',
      boxes: true,
      collapse: { kind: 'auto' },
    });
  });

  it('keeps find/hide, edge labels, boxes and collapsed namespaces in the link', () => {
    const search =
      '?find=sr+%3C+95&hide=idle&elabel=p99&boxes=0&collapse=a%252Cb%2Cshop&from=1&to=2&cfrom=0&cto=1';
    const s = parseOverviewUrl(undefined, search, t(search));
    expect([s.find, s.hide, s.edgeLabel, s.boxes]).toEqual(['sr < 95', 'idle', 'p99', false]);
    // a hostile namespace with a comma stays one namespace
    expect(s.collapse).toEqual({ kind: 'some', namespaces: ['a,b', 'shop'] });
    expect(s.time.compare).toEqual({ from: 0, to: 1 });
    const again = parseOverviewUrl(
      undefined,
      split(buildOverviewUrl(s)).search,
      t(split(buildOverviewUrl(s)).search),
    );
    expect(again).toEqual(s);
    expect(parseOverviewUrl(undefined, '?collapse=*', t('')).collapse).toEqual({ kind: 'all' });
    expect(parseOverviewUrl(undefined, '?collapse=', t('')).collapse).toEqual({
      kind: 'some',
      namespaces: [],
    });
  });

  it('keeps the graph type in the link; an unknown one falls back to workloads', () => {
    for (const kind of ['app', 'versioned-app'] as const) {
      const s = parseOverviewUrl('shop', `?kind=${kind}`, t(''));
      expect(s.kind).toBe(kind);
      expect(buildOverviewUrl(s)).toBe(`/namespaces/shop?kind=${kind}`);
    }
    expect(parseOverviewUrl(undefined, '?kind=cluster', t('')).kind).toBe('workload');
  });

  it('rejects thresholds where failing is above warning', () => {
    expect(parseOverviewUrl(undefined, '?warn=80&fail=90', t('')).thresholds).toEqual({
      warning: 0.95,
      failing: 0.9,
    });
  });
});

describe('resource URL', () => {
  it('round-trips', () => {
    const first = '?tab=traces&window=1h&refresh=10s';
    const state = parseResourceUrl(
      { namespace: 'shop', kind: 'workload', name: 'web/a b' },
      first,
      t(first),
    );
    const built = buildResourceUrl(state);
    expect(built).toBe('/namespaces/shop/workload/web%2Fa%20b?tab=traces&window=1h&refresh=10s');
    const { path, search } = split(built);
    const [, ns, kind, name] = decodeSegments(path);
    expect(
      parseResourceUrl(
        { namespace: ns ?? '', kind: kind ?? '', name: name ?? '' },
        search,
        t(search),
      ),
    ).toEqual(state);
  });

  it('falls back on unknown tab and kind', () => {
    const s = parseResourceUrl({ namespace: 'a', kind: 'bogus', name: 'b' }, '?tab=nope', t(''));
    expect(s.kind).toBe('workload');
    expect(s.tab).toBe('metrics');
  });
});

describe('traces URLs', () => {
  it('round-trips the search', () => {
    const search = '?service=checkout&minDurationMs=250&error=true&limit=100&from=1000&to=2000';
    const s = parseTracesUrl(search, t(search, '/traces'));
    expect(s).toEqual({
      service: 'checkout',
      minDurationMs: 250,
      errorOnly: true,
      limit: 100,
      time: { range: { kind: 'absolute', from: 1000, to: 2000 }, refreshMs: 5000 },
    });
    expect(buildTracesUrl(s)).toBe(`/traces${search}`);
    expect(buildTracesUrl(parseTracesUrl('', t('', '/traces')))).toBe('/traces');
  });

  it('round-trips the trace view', () => {
    const s = parseTraceViewUrl(
      '0af7651916cd43dd8448eb211c80319c',
      '?span=b7ad6b7169203331&collapsed=b,a',
    );
    expect(s.collapsed).toEqual(['b', 'a']);
    const built = buildTraceViewUrl(s);
    expect(built).toBe(
      '/traces/0af7651916cd43dd8448eb211c80319c?span=b7ad6b7169203331&collapsed=a%2Cb',
    );
    const { path, search } = split(built);
    const again = parseTraceViewUrl(decodeSegments(path)[1] ?? '', search);
    expect({ ...again, collapsed: [...again.collapsed].sort() }).toEqual({
      ...s,
      collapsed: ['a', 'b'],
    });
  });
});

describe('mesh health URL', () => {
  it('round-trips', () => {
    const search = '?tab=proxies&q=shop&health=down&sort=-series&window=5m';
    const s = parseMeshHealthUrl(search, t(search));
    expect(s.tab).toBe('proxies');
    expect(s.sort).toEqual({ key: 'series', dir: 'desc' });
    expect(buildMeshHealthUrl(s)).toBe(`/controlplane${search}`);
    expect(buildMeshHealthUrl(parseMeshHealthUrl('', t('')))).toBe('/controlplane');
  });
});
