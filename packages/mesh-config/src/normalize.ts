import type { AuthorizationPolicyDoc, FaultPolicyDoc, HttpRouteDoc } from './inputSchema';
import type { ParsedDocs } from './parse';
import type {
  AuthorizationPolicy,
  ConfigError,
  HttpRoute,
  MeshConfig,
  PeerMatch,
  RouteRule,
} from './types';

type BackendInput = NonNullable<HttpRouteDoc['spec']['rules'][number]['backendRefs']>[number];

/** Cross-object checks and conversion of valid documents into the normalized MeshConfig. */
export function buildConfig(parsed: ParsedDocs, errors: ConfigError[]): MeshConfig {
  const routes = new Map<string, HttpRoute>();
  for (const { doc, file } of parsed.routes) {
    const route = normalizeRoute(doc, file, errors);
    routes.set(`${route.namespace}/${route.name}`, route);
  }
  // A reference to an HTTPRoute that exists but is invalid was reported with the route.
  const refErrors: ConfigError[] = [];
  for (const { doc, file } of parsed.faults) attachFault(doc, file, routes, refErrors);
  const authorizationPolicies: AuthorizationPolicy[] = [];
  for (const { doc, file } of parsed.authz) {
    authorizationPolicies.push(...normalizeAuthz(doc, file, routes, refErrors));
  }
  errors.push(...refErrors.filter((e) => !isRefToInvalid(e, parsed.invalid)));
  for (const extra of parsed.mesh.slice(1)) {
    const md = extra.doc.metadata;
    errors.push({
      file: extra.file,
      object: `MeshPolicy ${md.namespace}/${md.name}`,
      field: 'metadata.name',
      message: 'only one MeshPolicy may exist',
    });
  }
  return {
    defaultAuthorization: parsed.mesh[0]?.doc.spec.defaultAuthorization ?? 'allow',
    routes: [...routes.values()].sort((a, b) => key(a).localeCompare(key(b))),
    authorizationPolicies,
  };
}

function isRefToInvalid(e: ConfigError, invalid: Set<string>): boolean {
  const m = /^no HTTPRoute (\S+)$/.exec(e.message);
  return m !== null && invalid.has(`HTTPRoute ${m[1] ?? ''}`);
}

function key(o: { namespace: string; name: string }): string {
  return `${o.namespace}/${o.name}`;
}

function normalizeRoute(doc: HttpRouteDoc, file: string, errors: ConfigError[]): HttpRoute {
  const ns = doc.metadata.namespace;
  const object = `HTTPRoute ${ns}/${doc.metadata.name}`;
  const ruleNames = new Set<string>();
  doc.spec.rules.forEach((r, i) => {
    if (r.name === undefined) return;
    if (ruleNames.has(r.name)) {
      errors.push({
        file,
        object,
        field: `spec.rules[${i}].name`,
        message: `duplicate rule name "${r.name}"`,
      });
    }
    ruleNames.add(r.name);
  });
  const parentRefs = doc.spec.parentRefs.map((p) => ({
    name: p.name,
    namespace: p.namespace ?? ns,
  }));
  const rules = doc.spec.rules.map((r): RouteRule => {
    const rule: RouteRule = {
      matches: (r.matches ?? [{}]).map((m) => ({
        path: m.path ?? { type: 'PathPrefix', value: '/' },
        headers: m.headers ?? [],
        ...(m.method === undefined ? {} : { method: m.method }),
      })),
      // No backendRefs: traffic goes to the parent service itself.
      backendRefs: (
        r.backendRefs ?? parentRefs.map((p): BackendInput => ({ ...p, weight: 1 }))
      ).map((b) => ({
        name: b.name,
        namespace: b.namespace ?? ns,
        weight: b.weight,
        ...(b.version === undefined ? {} : { version: b.version }),
        ...(b.workload === undefined ? {} : { workload: b.workload }),
        ...(b.port === undefined ? {} : { port: b.port }),
      })),
      timeouts: {
        ...(r.timeouts?.request === undefined ? {} : { requestMs: r.timeouts.request }),
        ...(r.timeouts?.backendRequest === undefined
          ? {}
          : { backendRequestMs: r.timeouts.backendRequest }),
      },
    };
    if (r.name !== undefined) rule.name = r.name;
    if (r.retry !== undefined) {
      rule.retry = {
        attempts: r.retry.attempts,
        codes: r.retry.codes ?? [500, 502, 503, 504],
        backoffMs: r.retry.backoff ?? 25,
      };
    }
    const mod = r.filters?.find((f) => f.type === 'RequestHeaderModifier')?.requestHeaderModifier;
    if (mod !== undefined)
      rule.requestHeaderModifier = {
        set: mod.set ?? [],
        add: mod.add ?? [],
        remove: mod.remove ?? [],
      };
    return rule;
  });
  return { namespace: ns, name: doc.metadata.name, parentRefs, rules };
}

function attachFault(
  doc: FaultPolicyDoc,
  file: string,
  routes: Map<string, HttpRoute>,
  errors: ConfigError[],
): void {
  const ns = doc.metadata.namespace;
  const object = `FaultPolicy ${ns}/${doc.metadata.name}`;
  const target = doc.spec.targetRef;
  const route = routes.get(`${ns}/${target.name}`);
  if (!route) {
    errors.push({
      file,
      object,
      field: 'spec.targetRef.name',
      message: `no HTTPRoute ${ns}/${target.name}`,
    });
    return;
  }
  const rules =
    target.sectionName === undefined
      ? route.rules
      : route.rules.filter((r) => r.name === target.sectionName);
  if (rules.length === 0) {
    errors.push({
      file,
      object,
      field: 'spec.targetRef.sectionName',
      message: `HTTPRoute ${ns}/${target.name} has no rule named "${target.sectionName ?? ''}"`,
    });
    return;
  }
  for (const rule of rules) {
    if (rule.fault) {
      errors.push({
        file,
        object,
        field: 'spec.targetRef',
        message: `rule already has a fault from FaultPolicy ${rule.fault.policy}`,
      });
      continue;
    }
    rule.fault = {
      policy: `${ns}/${doc.metadata.name}`,
      ...(doc.spec.delay
        ? {
            delay: {
              fixedDelayMs: doc.spec.delay.fixedDelay,
              percentage: doc.spec.delay.percentage,
            },
          }
        : {}),
      ...(doc.spec.abort
        ? {
            abort: { httpStatus: doc.spec.abort.httpStatus, percentage: doc.spec.abort.percentage },
          }
        : {}),
    };
  }
}

function normalizeAuthz(
  doc: AuthorizationPolicyDoc,
  file: string,
  routes: Map<string, HttpRoute>,
  errors: ConfigError[],
): AuthorizationPolicy[] {
  const ns = doc.metadata.namespace;
  const from = doc.spec.from.map((p): PeerMatch => ({
    identities: p.identities ?? [],
    namespaces: p.namespaces ?? [],
    serviceAccounts: (p.serviceAccounts ?? []).map((sa) => {
      const [a, b] = sa.split('/');
      return b === undefined ? { namespace: ns, name: a ?? '' } : { namespace: a ?? '', name: b };
    }),
  }));
  const base = { namespace: ns, name: doc.metadata.name, action: doc.spec.action, from };
  const target = doc.spec.targetRef;
  if (target.kind === 'Service')
    return [{ ...base, target: { service: target.name, namespace: ns } }];
  const route = routes.get(`${ns}/${target.name}`);
  if (!route) {
    errors.push({
      file,
      object: `AuthorizationPolicy ${ns}/${doc.metadata.name}`,
      field: 'spec.targetRef.name',
      message: `no HTTPRoute ${ns}/${target.name}`,
    });
    return [];
  }
  // A route-level policy guards the route on every service the route is attached to.
  return route.parentRefs.map((p) => ({
    ...base,
    target: { service: p.name, namespace: p.namespace, route: `${ns}/${target.name}` },
  }));
}
