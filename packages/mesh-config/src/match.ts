import type { BackendRef, HttpRoute, MeshConfig, RouteMatch, RouteRule } from './types';

export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface RouteRequest {
  /** Destination service name (without namespace). */
  service: string;
  namespace: string;
  method: string;
  /** Request target path; a query string is ignored. */
  path: string;
  headers: RequestHeaders;
}

export interface RouteChoice {
  route: HttpRoute;
  /** `namespace/name` of the route; what `authorize` takes as `route`. */
  routeKey: string;
  ruleIndex: number;
  rule: RouteRule;
  /** Weighted random choice among the rule's backends; undefined when every weight is 0 (answer 500). */
  pickBackend(random?: () => number): BackendRef | undefined;
}

type Random = () => number;

/**
 * Chooses the rule for a request the way the Gateway API orders matches: Exact path, then the
 * longest PathPrefix, then RegularExpression; then a method match; then more header matches;
 * then route namespace/name; then rule and match order. Undefined when no route applies (the
 * caller then sends to the service itself).
 */
export function matchRoute(config: MeshConfig, req: RouteRequest): RouteChoice | undefined {
  const path = stripQuery(req.path);
  const headers = lowerCaseHeaders(req.headers);
  let best: { route: HttpRoute; ruleIndex: number; score: number[] } | undefined;
  for (const route of config.routes) {
    if (!route.parentRefs.some((p) => p.name === req.service && p.namespace === req.namespace))
      continue;
    route.rules.forEach((rule, ruleIndex) => {
      for (const m of rule.matches) {
        if (!matches(m, req.method, path, headers)) continue;
        const score = precedence(m);
        if (!best || compareScores(score, best.score) > 0) best = { route, ruleIndex, score };
      }
    });
  }
  if (!best) return undefined;
  const { route, ruleIndex } = best;
  const rule = route.rules[ruleIndex] as RouteRule;
  return {
    route,
    routeKey: `${route.namespace}/${route.name}`,
    ruleIndex,
    rule,
    pickBackend: (random?: Random) => pickBackend(rule.backendRefs, random),
  };
}

/** Weighted random backend; `random` returns [0, 1). Undefined if no backend has weight. */
export function pickBackend(
  backends: readonly BackendRef[],
  random: Random = Math.random,
): BackendRef | undefined {
  const total = backends.reduce((s, b) => s + b.weight, 0);
  if (total <= 0) return undefined;
  let x = random() * total;
  for (const b of backends) {
    if (b.weight === 0) continue;
    if (x < b.weight) return b;
    x -= b.weight;
  }
  // Floating point edge (random() very close to 1): the last weighted backend.
  return [...backends].reverse().find((b) => b.weight > 0);
}

export interface FaultDecision {
  delayMs?: number;
  abortStatus?: number;
}

/** Draws the rule's fault: one draw for the delay and one for the abort, each hit with its percentage. */
export function decideFault(rule: RouteRule, random: Random = Math.random): FaultDecision {
  const out: FaultDecision = {};
  const f = rule.fault;
  if (!f) return out;
  if (f.delay && random() * 100 < f.delay.percentage) out.delayMs = f.delay.fixedDelayMs;
  if (f.abort && random() * 100 < f.abort.percentage) out.abortStatus = f.abort.httpStatus;
  return out;
}

/** Applies the rule's RequestHeaderModifier to a copy of node-style (lower-case) headers. */
export function applyRequestHeaderModifier(
  rule: RouteRule,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[] | undefined> {
  const out = { ...headers };
  const mod = rule.requestHeaderModifier;
  if (!mod) return out;
  for (const { name, value } of mod.set) out[name.toLowerCase()] = value;
  for (const { name, value } of mod.add) {
    const k = name.toLowerCase();
    const prev = out[k];
    out[k] =
      prev === undefined
        ? value
        : Array.isArray(prev)
          ? [...prev, value]
          : `${String(prev)},${value}`;
  }
  for (const name of mod.remove) delete out[name.toLowerCase()];
  return out;
}

function matches(
  m: RouteMatch,
  method: string,
  path: string,
  headers: Map<string, string>,
): boolean {
  if (m.method !== undefined && m.method !== method.toUpperCase()) return false;
  if (!pathMatches(m.path.type, m.path.value, path)) return false;
  return m.headers.every((h) => {
    const v = headers.get(h.name.toLowerCase());
    if (v === undefined) return false;
    return h.type === 'Exact' ? v === h.value : fullRegex(h.value).test(v);
  });
}

function pathMatches(type: RouteMatch['path']['type'], value: string, path: string): boolean {
  switch (type) {
    case 'Exact':
      return path === value;
    case 'PathPrefix': {
      // Element-wise prefix: "/foo" matches "/foo" and "/foo/bar", not "/foobar".
      const prefix = value.endsWith('/') ? value.slice(0, -1) : value;
      return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
    }
    case 'RegularExpression':
      return fullRegex(value).test(path);
  }
}

function precedence(m: RouteMatch): number[] {
  const typeRank = { Exact: 3, PathPrefix: 2, RegularExpression: 1 }[m.path.type];
  const prefixLen = m.path.type === 'PathPrefix' ? m.path.value.length : 0;
  return [typeRank, prefixLen, m.method === undefined ? 0 : 1, m.headers.length];
}

// Earlier candidates win ties (route order is sorted, rules in order), so only strictly better replaces.
function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const regexCache = new Map<string, RegExp>();
function fullRegex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

function stripQuery(path: string): string {
  const q = path.search(/[?#]/);
  return q === -1 ? path : path.slice(0, q);
}

function lowerCaseHeaders(headers: RequestHeaders): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out.set(k.toLowerCase(), typeof v === 'string' ? v : v.join(','));
  }
  return out;
}
