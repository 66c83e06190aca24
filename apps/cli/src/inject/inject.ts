import { isMap, isSeq, parseAllDocuments } from 'yaml';
import type { Document, YAMLMap } from 'yaml';
import {
  appEnv,
  defaultSidecarOptions,
  injectAnnotation,
  podAnnotations,
  proxyContainer,
  proxyContainerName,
  tokenVolume,
  tokenVolumeName,
} from './sidecar';
import type { SidecarOptions, WorkloadFacts } from './sidecar';

export interface InjectOptions extends Partial<SidecarOptions> {
  proxyVersion: string;
}

export type InjectOutcome = 'injected' | 'already-injected' | 'skipped' | 'not-a-workload';

export interface InjectReport {
  kind: string;
  name: string;
  outcome: InjectOutcome;
  reason?: string;
}

export interface InjectResult {
  output: string;
  reports: InjectReport[];
}

type Path = (string | number)[];

/** Where the pod template sits in each workload kind we know. */
const templatePaths: Record<string, Path> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

function str(doc: Document, path: Path): string | undefined {
  const v: unknown = doc.getIn(path);
  return typeof v === 'string' ? v : undefined;
}

function firstContainerPort(doc: Document, spec: Path): number | undefined {
  const containers: unknown = doc.getIn([...spec, 'containers']);
  if (!isSeq(containers)) return undefined;
  for (const c of containers.items) {
    if (!isMap(c) || c.get('name') === proxyContainerName) continue;
    const ports = c.get('ports');
    if (!isSeq(ports)) continue;
    const first = ports.items[0];
    const port: unknown = isMap(first) ? first.get('containerPort') : undefined;
    if (typeof port === 'number') return port;
  }
  return undefined;
}

function hasProxy(doc: Document, spec: Path): boolean {
  for (const list of ['initContainers', 'containers']) {
    const seq: unknown = doc.getIn([...spec, list]);
    if (isSeq(seq) && seq.items.some((c) => isMap(c) && c.get('name') === proxyContainerName)) {
      return true;
    }
  }
  return false;
}

function ensureSeq(doc: Document, path: Path): void {
  if (!isSeq(doc.getIn(path))) doc.setIn(path, doc.createNode([]));
}

function addAppEnv(doc: Document, spec: Path): void {
  const containers: unknown = doc.getIn([...spec, 'containers']);
  if (!isSeq(containers)) return;
  containers.items.forEach((c, i) => {
    if (!isMap(c)) return;
    const envPath = [...spec, 'containers', i, 'env'];
    ensureSeq(doc, envPath);
    const env = doc.getIn(envPath) as YAMLMap[] & { add: (n: unknown) => void };
    for (const e of appEnv) env.add(doc.createNode(e));
  });
}

/** Injects the object at `base` (the document root, or an item of a `kind: List`). */
function injectObject(
  doc: Document,
  base: Path,
  kind: string,
  o: SidecarOptions,
  version: string,
): InjectReport {
  const name = str(doc, [...base, 'metadata', 'name']) ?? '(unnamed)';
  const relative = templatePaths[kind];
  if (relative === undefined) return { kind, name, outcome: 'not-a-workload' };
  const template = [...base, ...relative];
  const meta = [...template, 'metadata'];
  const spec = [...template, 'spec'];
  if (str(doc, [...meta, 'annotations', injectAnnotation]) === 'disabled') {
    return { kind, name, outcome: 'skipped', reason: `annotation ${injectAnnotation}: disabled` };
  }
  if (doc.getIn([...spec, 'hostNetwork']) === true) {
    return { kind, name, outcome: 'skipped', reason: 'hostNetwork: true pods cannot be meshed' };
  }
  if (hasProxy(doc, spec)) return { kind, name, outcome: 'already-injected' };
  const labels = [...meta, 'labels'];
  const workload = str(doc, [...labels, 'app']) ?? name;
  const facts: WorkloadFacts = {
    workload: name,
    service: str(doc, [...meta, 'annotations', 'meshlens.io/service']) ?? workload,
    appPort: firstContainerPort(doc, spec),
    version: str(doc, [...labels, 'version']),
  };
  for (const [key, value] of Object.entries(podAnnotations(facts, version))) {
    doc.setIn([...meta, 'annotations', key], value);
  }
  ensureSeq(doc, [...spec, 'initContainers']);
  const init = doc.getIn([...spec, 'initContainers']) as { add: (n: unknown) => void };
  init.add(doc.createNode(proxyContainer(o, facts)));
  ensureSeq(doc, [...spec, 'volumes']);
  const volumes = doc.getIn([...spec, 'volumes']) as {
    items: unknown[];
    add: (n: unknown) => void;
  };
  if (!volumes.items.some((v) => isMap(v) && v.get('name') === tokenVolumeName))
    volumes.add(doc.createNode(tokenVolume()));
  addAppEnv(doc, spec);
  return { kind, name, outcome: 'injected' };
}

/**
 * Adds the meshlens proxy to every workload in a multi-document YAML stream, like
 * `linkerd inject`: comments, ordering and unrelated fields stay as they were, other
 * documents pass through untouched, and running it twice changes nothing the second time.
 */
export function injectManifests(text: string, options: InjectOptions): InjectResult {
  const sidecar: SidecarOptions = { ...defaultSidecarOptions, ...stripUndefined(options) };
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return { output: text, reports: [] };
  const reports: InjectReport[] = [];
  for (const doc of docs) {
    const firstError = doc.errors[0];
    if (firstError !== undefined) throw new Error(`invalid YAML: ${firstError.message}`);
    const kind = str(doc, ['kind']);
    if (kind === undefined) continue;
    if (kind !== 'List') {
      reports.push(injectObject(doc, [], kind, sidecar, options.proxyVersion));
      continue;
    }
    // `kubectl get ... -o yaml` wraps what it returns in a List
    const items: unknown = doc.get('items');
    const count = isSeq(items) ? items.items.length : 0;
    for (let i = 0; i < count; i++) {
      const itemKind = str(doc, ['items', i, 'kind']);
      if (itemKind !== undefined) {
        reports.push(injectObject(doc, ['items', i], itemKind, sidecar, options.proxyVersion));
      }
    }
  }
  const output = docs.map((d) => d.toString({ lineWidth: 0 })).join('');
  return { output: output.endsWith('\n') ? output : `${output}\n`, reports };
}

function stripUndefined(o: InjectOptions): Partial<SidecarOptions> {
  const out: Partial<SidecarOptions> = {};
  if (o.image !== undefined) out.image = o.image;
  if (o.controlPlaneUrl !== undefined) out.controlPlaneUrl = o.controlPlaneUrl;
  if (o.traceCollectorUrl !== undefined) out.traceCollectorUrl = o.traceCollectorUrl;
  if (o.tlsMode !== undefined) out.tlsMode = o.tlsMode;
  return out;
}
