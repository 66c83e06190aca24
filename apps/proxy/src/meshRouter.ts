import type { IncomingHttpHeaders } from 'node:http';
import { authorize, decideFault, matchRoute, parseSpiffeId } from '@meshlens/mesh-config/runtime';
import type { Authorizer } from './inbound';
import type { ConfigStore } from './meshConfigSource';
import type { RouteDecision, Router } from './router';

function splitKey(key: string): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

/** Routes with the HTTPRoutes in force: matches, weighted backends, timeouts, retries, faults. */
export function createMeshRouter(store: ConfigStore, random: () => number = Math.random): Router {
  return {
    route(key, req): RouteDecision {
      const [service, namespace] = splitKey(key);
      const choice = matchRoute(store.config, {
        service,
        namespace,
        method: req.method,
        path: req.path,
        headers: req.headers,
      });
      if (choice === undefined) return { service: key };
      const rule = choice.rule;
      const routeName =
        rule.name === undefined ? choice.routeKey : `${choice.routeKey}/${rule.name}`;
      const route = { name: choice.route.name, rule: String(choice.ruleIndex) };
      const backend = rule.backendRefs.length === 0 ? undefined : choice.pickBackend(random);
      if (rule.backendRefs.length > 0 && backend === undefined) {
        return {
          service: key,
          routeName,
          route,
          reject: { status: 500, reason: 'no-backend' },
        };
      }
      const fault = decideFault(rule, random);
      const mod = rule.requestHeaderModifier;
      return {
        service: backend === undefined ? key : `${backend.name}.${backend.namespace}`,
        subset:
          backend === undefined
            ? undefined
            : { version: backend.version, workload: backend.workload },
        routeName,
        route,
        timeoutMs: rule.timeouts.requestMs ?? rule.timeouts.backendRequestMs,
        maxRetries: rule.retry?.attempts,
        retryOnStatuses: rule.retry?.codes,
        retryBackoffMs: rule.retry?.backoffMs,
        requestHeaders:
          mod === undefined
            ? undefined
            : {
                set: Object.fromEntries(mod.set.map((h) => [h.name, h.value])),
                add: Object.fromEntries(mod.add.map((h) => [h.name, h.value])),
                remove: mod.remove,
              },
        fault: fault.delayMs === undefined && fault.abortStatus === undefined ? undefined : fault,
      };
    },
  };
}

/** Inbound authorization of the local service with the policies in force. */
export function createMeshAuthorizer(
  store: ConfigStore,
  local: { service: string; namespace: string },
): Authorizer {
  return {
    authorize(
      clientId: string | undefined,
      request: { method: string; path: string; headers: IncomingHttpHeaders },
    ) {
      const choice = matchRoute(store.config, {
        ...local,
        method: request.method,
        path: request.path,
        headers: request.headers,
      });
      const parsed = clientId === undefined ? undefined : parseSpiffeId(clientId);
      const peer =
        clientId === undefined
          ? null
          : {
              identity: clientId,
              ...(parsed === undefined
                ? {}
                : { namespace: parsed.namespace, serviceAccount: parsed.serviceAccount }),
            };
      const d = authorize(
        store.config,
        { ...local, ...(choice === undefined ? {} : { route: choice.routeKey }) },
        peer,
      );
      return { allowed: d.allowed, reason: d.reason, policy: d.policy ?? 'default' };
    },
  };
}
