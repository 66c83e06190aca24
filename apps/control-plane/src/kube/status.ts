import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ObjectVerdict } from './configFromKube';
import { statusOf } from './leader';
import { serviceParents, type MeshObject } from './meshObjects';

export const CONTROLLER_NAME = 'meshlens.io/control-plane';

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** The conditions an object should carry for its verdict. */
export function conditionsFor(v: ObjectVerdict, now: Date): Condition[] {
  const generation = v.object.metadata?.generation;
  const base = {
    lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
  const accepted: Condition = v.accepted
    ? {
        type: 'Accepted',
        status: 'True',
        reason: 'Accepted',
        message: 'in force on every proxy',
        ...base,
      }
    : {
        type: 'Accepted',
        status: 'False',
        reason: v.resource.kind === 'HTTPRoute' ? 'UnsupportedValue' : 'Invalid',
        message: v.reasons.join('; ').slice(0, 32_000),
        ...base,
      };
  if (v.resource.kind !== 'HTTPRoute' || !v.accepted) return [accepted];
  const resolved: Condition =
    v.resolvedRefs === false
      ? {
          type: 'ResolvedRefs',
          status: 'False',
          reason: 'BackendNotFound',
          message: `Service ${(v.unresolved ?? []).join(', ')} not found`,
          ...base,
        }
      : {
          type: 'ResolvedRefs',
          status: 'True',
          reason: 'ResolvedRefs',
          message: 'every backend Service exists',
          ...base,
        };
  return [accepted, resolved];
}

/** Same conditions, ignoring transition times (which must not change when nothing else did). */
function sameConditions(a: unknown, b: Condition[]): boolean {
  if (!Array.isArray(a) || a.length !== b.length) return false;
  return b.every((c, i) => {
    const x = a[i] as Partial<Condition> | undefined;
    return (
      x?.type === c.type &&
      x.status === c.status &&
      x.reason === c.reason &&
      x.message === c.message &&
      x.observedGeneration === c.observedGeneration
    );
  });
}

/** The object's status with our part replaced; undefined when it is already right. */
export function desiredStatus(v: ObjectVerdict, now: Date): Record<string, unknown> | undefined {
  const conditions = conditionsFor(v, now);
  const current = v.object.status ?? {};
  if (v.resource.kind !== 'HTTPRoute') {
    if (sameConditions(current['conditions'], conditions)) return undefined;
    return { ...current, conditions: keepTimes(current['conditions'], conditions) };
  }
  // HTTPRoute: one entry per Service parent, ours marked by controllerName; others untouched.
  const parents = Array.isArray(current['parents'])
    ? (current['parents'] as Array<{ controllerName?: string; conditions?: unknown }>)
    : [];
  const others = parents.filter((p) => p.controllerName !== CONTROLLER_NAME);
  const ours = parents.filter((p) => p.controllerName === CONTROLLER_NAME);
  const wanted = serviceParents(v.object).map((parentRef) => ({
    parentRef,
    controllerName: CONTROLLER_NAME,
  }));
  const unchanged =
    ours.length === wanted.length &&
    wanted.every(
      (w, i) =>
        JSON.stringify(ours[i] && (ours[i] as { parentRef?: unknown }).parentRef) ===
          JSON.stringify(w.parentRef) && sameConditions(ours[i]?.conditions, conditions),
    );
  if (unchanged) return undefined;
  return {
    ...current,
    parents: [
      ...others,
      ...wanted.map((w, i) => ({ ...w, conditions: keepTimes(ours[i]?.conditions, conditions) })),
    ],
  };
}

/** A condition whose status did not flip keeps its lastTransitionTime. */
function keepTimes(previous: unknown, next: Condition[]): Condition[] {
  const prev = Array.isArray(previous) ? (previous as Condition[]) : [];
  return next.map((c) => {
    const p = prev.find((x) => x.type === c.type);
    return p && p.status === c.status ? { ...c, lastTransitionTime: p.lastTransitionTime } : c;
  });
}

/**
 * Writes each object's status subresource when its verdict changes. Only the leader calls it:
 * two replicas would otherwise fight over transition times.
 */
export async function createStatusWriter(opts: { kubeConfig: KubeConfig; logger: Logger }) {
  const k8s = await import('@kubernetes/client-node');
  const custom = opts.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  let running: Promise<void> = Promise.resolve();
  const writeAll = async (verdicts: readonly ObjectVerdict[]) => {
    for (const v of verdicts) {
      const status = desiredStatus(v, new Date());
      if (status === undefined) continue;
      const md = v.object.metadata;
      const body: MeshObject = { ...v.object, status };
      try {
        await custom.replaceNamespacedCustomObjectStatus({
          group: v.resource.group,
          version: v.resource.version,
          plural: v.resource.plural,
          namespace: md?.namespace ?? 'default',
          name: md?.name ?? '',
          body,
        });
      } catch (err) {
        // 409: the object changed since we read it; its watch event brings the next attempt.
        const code = statusOf(err);
        if (code !== 409 && code !== 404) {
          opts.logger.warn(
            {
              object: `${v.resource.kind} ${md?.namespace}/${md?.name}`,
              err: (err as Error).message,
              status: code ?? null,
            },
            'status update failed',
          );
        }
      }
    }
  };
  return {
    /** Serialised: a write in flight finishes before the next pass reads verdicts. */
    write(verdicts: readonly ObjectVerdict[]): Promise<void> {
      running = running.then(() => writeAll(verdicts));
      return running;
    },
  };
}
