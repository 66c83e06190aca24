import type { KubeConfig } from '@kubernetes/client-node';
import {
  EMPTY_MESH_CONFIG,
  parseMeshConfigPerObject,
  type SourceDocument,
} from '@meshlens/mesh-config';
import type { ConfigObjectStatus } from '@meshlens/cp-client';
import type { Logger } from 'pino';
import { configVersion, type ConfigSnapshot, type ConfigStore } from '../configStore';
import { startInformer, type Informer } from './informer';
import {
  MESH_RESOURCES,
  toConfigDocument,
  type MeshObject,
  type MeshResource,
} from './meshObjects';

export interface ObjectVerdict {
  resource: MeshResource;
  object: MeshObject;
  accepted: boolean;
  /** `field: message` for each problem (empty when accepted). */
  reasons: string[];
  /** HTTPRoutes only: every backend Service exists. */
  resolvedRefs?: boolean;
  unresolved?: string[];
}

export interface KubeConfigStore extends ConfigStore {
  verdicts(): ObjectVerdict[];
  onVerdicts(listener: () => void): () => void;
  objects(): ConfigObjectStatus[];
}

/**
 * Configuration from the Kubernetes API: HTTPRoutes with a Service parent and meshlens'
 * policy CRDs, watched and validated one object at a time (an invalid object is rejected alone,
 * the valid ones keep working). `serviceExists` resolves backend references.
 */
export async function startKubeConfigStore(opts: {
  kubeConfig: KubeConfig;
  logger: Logger;
  serviceExists: (namespace: string, name: string) => boolean;
  onServicesChange: (listener: () => void) => () => void;
  backoffMs?: number;
}): Promise<KubeConfigStore> {
  const k8s = await import('@kubernetes/client-node');
  const custom = opts.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const informers = await Promise.all(
    MESH_RESOURCES.map(async (res): Promise<[MeshResource, Informer<MeshObject>]> => [
      res,
      await startInformer<MeshObject>({
        kubeConfig: opts.kubeConfig,
        logger: opts.logger,
        kind: res.kind,
        path: `/apis/${res.group}/${res.version}/${res.plural}`,
        list: async () =>
          (await custom.listClusterCustomObject({
            group: res.group,
            version: res.version,
            plural: res.plural,
          })) as { metadata?: { resourceVersion?: string }; items: MeshObject[] },
        ...(opts.backoffMs === undefined ? {} : { backoffMs: opts.backoffMs }),
      }),
    ]),
  );
  const changeListeners = new Set<(s: ConfigSnapshot) => void>();
  const reloadListeners = new Set<(r: 'applied' | 'unchanged' | 'rejected') => void>();
  const verdictListeners = new Set<() => void>();
  let snapshot: ConfigSnapshot = {
    version: configVersion(EMPTY_MESH_CONFIG),
    config: EMPTY_MESH_CONFIG,
    loadedAt: new Date(),
  };
  let verdicts: ObjectVerdict[] = [];
  let loggedRejections = new Set<string>();

  const evaluate = () => {
    const inputs: Array<{ res: MeshResource; obj: MeshObject }> = [];
    const docs: SourceDocument[] = [];
    for (const [res, inf] of informers) {
      const objs = inf
        .list()
        .sort((a, b) =>
          `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
            `${b.metadata?.namespace}/${b.metadata?.name}`,
          ),
        );
      for (const obj of objs) {
        const doc = toConfigDocument(res, obj);
        if (doc === undefined) continue;
        inputs.push({ res, obj });
        docs.push({ file: `${res.plural}.${res.group}`, index: docs.length, value: doc });
      }
    }
    const result = parseMeshConfigPerObject(docs);
    const accepted = new Set(result.config.routes.map((r) => `${r.namespace}/${r.name}`));
    verdicts = result.verdicts.map((v, i): ObjectVerdict => {
      const input = inputs[i] as { res: MeshResource; obj: MeshObject };
      const verdict: ObjectVerdict = {
        resource: input.res,
        object: input.obj,
        accepted: v.accepted,
        reasons: v.errors.map((e) => (e.field === '' ? e.message : `${e.field}: ${e.message}`)),
      };
      if (input.res.kind === 'HTTPRoute' && v.accepted) {
        const key = `${input.obj.metadata?.namespace ?? 'default'}/${input.obj.metadata?.name ?? ''}`;
        const route = result.config.routes.find((r) => `${r.namespace}/${r.name}` === key);
        const missing = accepted.has(key)
          ? [
              ...new Set(
                (route?.rules ?? []).flatMap((r) =>
                  r.backendRefs
                    .filter((b) => !opts.serviceExists(b.namespace, b.name))
                    .map((b) => `${b.namespace}/${b.name}`),
                ),
              ),
            ]
          : [];
        verdict.resolvedRefs = missing.length === 0;
        if (missing.length > 0) verdict.unresolved = missing;
      }
      return verdict;
    });
    // Every change re-evaluates every object: log a rejection once per object version, not on
    // each evaluation.
    const rejectedNow = new Set<string>();
    for (const v of verdicts) {
      if (v.accepted) continue;
      const md = v.object.metadata;
      const key = `${v.resource.kind} ${md?.namespace}/${md?.name}@${md?.resourceVersion ?? ''}`;
      rejectedNow.add(key);
      if (!loggedRejections.has(key)) {
        opts.logger.warn(
          { object: `${v.resource.kind} ${md?.namespace}/${md?.name}`, errors: v.reasons },
          'configuration object rejected',
        );
      }
    }
    loggedRejections = rejectedNow;
    const version = configVersion(result.config);
    const rejected = verdicts.some((v) => !v.accepted);
    if (version !== snapshot.version) {
      snapshot = { version, config: result.config, loadedAt: new Date() };
      opts.logger.info(
        {
          version,
          routes: result.config.routes.length,
          rejected: verdicts.filter((v) => !v.accepted).length,
        },
        'configuration applied',
      );
      for (const l of reloadListeners) l(rejected ? 'rejected' : 'applied');
      for (const l of changeListeners) l(snapshot);
    } else {
      for (const l of reloadListeners) l(rejected ? 'rejected' : 'unchanged');
    }
    for (const l of verdictListeners) l();
  };
  let pending: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (pending !== undefined) return;
    pending = setTimeout(() => {
      pending = undefined;
      evaluate();
    }, 20);
  };
  const offs = [
    ...informers.map(([, inf]) => inf.onChange(schedule)),
    opts.onServicesChange(schedule),
  ];
  evaluate();

  return {
    current: () => snapshot,
    // Per-object validity: rejections are listed per object, never as a rejected whole.
    lastError: () => undefined,
    reload() {
      evaluate();
      return Promise.resolve({ ok: true, changed: false });
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onReload(listener) {
      reloadListeners.add(listener);
      return () => reloadListeners.delete(listener);
    },
    verdicts: () => verdicts,
    onVerdicts(listener) {
      verdictListeners.add(listener);
      return () => verdictListeners.delete(listener);
    },
    objects: () =>
      verdicts.map((v) => ({
        kind: v.resource.kind,
        namespace: v.object.metadata?.namespace ?? 'default',
        name: v.object.metadata?.name ?? '',
        source: 'kubernetes' as const,
        accepted: v.accepted,
        ...(v.resolvedRefs === undefined ? {} : { resolvedRefs: v.resolvedRefs }),
        reasons: [
          ...v.reasons,
          ...(v.unresolved ?? []).map((s) => `backendRefs: Service ${s} not found`),
        ],
      })),
    close() {
      clearTimeout(pending);
      for (const off of offs) off();
      for (const [, inf] of informers) inf.stop();
      changeListeners.clear();
      reloadListeners.clear();
      verdictListeners.clear();
    },
  };
}
