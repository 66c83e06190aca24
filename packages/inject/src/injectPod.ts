import {
  defaultSidecarOptions,
  initContainer,
  initContainerName,
  injectAnnotation,
  podAnnotations,
  proxyContainer,
  proxyContainerName,
  tokenVolume,
  tokenVolumeName,
  type SidecarOptions,
  type WorkloadFacts,
} from './sidecar';

/** `not-enabled`: neither the pod nor its namespace asked for injection (the webhook's usual case). */
export type InjectOutcome = 'injected' | 'already-injected' | 'skipped' | 'not-enabled';

export interface PodInjection {
  outcome: InjectOutcome;
  /** Why the pod was skipped (hostNetwork, opt-out, not opted in). */
  reason?: string;
  /** The injected pod template (a deep copy); the input is never changed. */
  template?: Record<string, unknown>;
}

export interface InjectContext {
  options?: Partial<SidecarOptions>;
  proxyVersion: string;
  /**
   * True when the pod's namespace opted in (label meshlens.io/inject: enabled) or the user asked
   * for it (`meshlens inject`); a pod annotation `enabled` opts in on its own, `disabled` opts out.
   */
  namespaceEnabled: boolean;
  /** Workload name when the template has none (a Deployment's name for its template). */
  workloadName?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const text = (o: Json | undefined, key: string): string | undefined => {
  const v = o?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

function firstContainerPort(containers: Json[]): number | undefined {
  for (const c of containers) {
    for (const p of objects(c['ports'])) {
      const port = p['containerPort'];
      if (typeof port === 'number' && (p['protocol'] === undefined || p['protocol'] === 'TCP')) {
        return port;
      }
    }
  }
  return undefined;
}

/**
 * The one injection function: `meshlens inject` (YAML on disk) and the admission webhook (a
 * pod in an AdmissionReview) both call it, so the same pod template gives the same pod.
 * Adds meshlens-init and the proxy in front of the pod's own init containers (the proxy must
 * be up before they use the network) and two annotations; app containers, probes, named ports
 * and `prometheus.io/*` annotations are left as they are.
 */
export function injectPodTemplate(template: unknown, ctx: InjectContext): PodInjection {
  if (!isObject(template))
    return { outcome: 'skipped', reason: 'the pod template is not an object' };
  const meta = isObject(template['metadata']) ? template['metadata'] : {};
  const spec = isObject(template['spec']) ? template['spec'] : {};
  const annotations = isObject(meta['annotations']) ? meta['annotations'] : {};
  const labels = isObject(meta['labels']) ? meta['labels'] : {};
  const choice = text(annotations, injectAnnotation);
  const inits = objects(spec['initContainers']);
  const containers = objects(spec['containers']);
  const names = [...inits, ...containers].map((c) => c['name']);
  if (names.includes(proxyContainerName) || names.includes(initContainerName)) {
    return { outcome: 'already-injected' };
  }
  if (choice === 'disabled') {
    return { outcome: 'skipped', reason: `annotation ${injectAnnotation}: disabled` };
  }
  if (choice !== 'enabled' && !ctx.namespaceEnabled) {
    return {
      outcome: 'not-enabled',
      reason: `neither the pod nor its namespace has ${injectAnnotation}: enabled`,
    };
  }
  if (spec['hostNetwork'] === true) {
    return {
      outcome: 'skipped',
      reason: 'hostNetwork: true pods share the node network: capturing it would capture the node',
    };
  }
  const name = ctx.workloadName ?? workloadOfPod(meta, labels);
  const app = text(labels, 'app') ?? text(labels, 'app.kubernetes.io/name');
  const facts: WorkloadFacts = {
    workload: name,
    service: text(annotations, 'meshlens.io/service') ?? app ?? name,
    appPort: firstContainerPort(containers),
    version: text(labels, 'version'),
  };
  const o: SidecarOptions = { ...defaultSidecarOptions, ...definedOnly(ctx.options ?? {}) };
  const injected = structuredClone(template);
  const newMeta = (injected['metadata'] = isObject(injected['metadata'])
    ? injected['metadata']
    : {});
  newMeta['annotations'] = { ...annotations, ...podAnnotations(ctx.proxyVersion) };
  const newSpec = (injected['spec'] = isObject(injected['spec']) ? injected['spec'] : {});
  const existing: unknown[] = Array.isArray(newSpec['initContainers'])
    ? newSpec['initContainers']
    : [];
  newSpec['initContainers'] = [initContainer(o, facts), proxyContainer(o, facts), ...existing];
  // The proxy proves its service account with a token projected for audience `meshlens`.
  const volumes: unknown[] = Array.isArray(newSpec['volumes']) ? newSpec['volumes'] : [];
  if (!volumes.some((v) => isObject(v) && v['name'] === tokenVolumeName))
    newSpec['volumes'] = [...volumes, tokenVolume()];
  return { outcome: 'injected', template: injected };
}

/**
 * A pod the webhook sees has no name yet, only the generateName its ReplicaSet gave it
 * (`<deployment>-<pod-template-hash>-`): the Deployment's name is the workload.
 */
function workloadOfPod(meta: Json, labels: Json): string {
  const generated = text(meta, 'generateName');
  if (generated === undefined) return text(meta, 'name') ?? 'unknown';
  const hash = text(labels, 'pod-template-hash');
  const base = generated.replace(/-$/, '');
  return hash !== undefined && base.endsWith(`-${hash}`) ? base.slice(0, -hash.length - 1) : base;
}

function definedOnly(o: Partial<SidecarOptions>): Partial<SidecarOptions> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
