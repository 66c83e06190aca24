import { isSeq, parseAllDocuments, type Document } from 'yaml';
import { injectPodTemplate, type InjectOutcome } from './injectPod';
import { jsonDiff } from './jsonDiff';
import type { SidecarOptions } from './sidecar';
import { applyToYaml } from './yamlPatch';

export interface InjectOptions extends Partial<SidecarOptions> {
  proxyVersion: string;
}

export interface InjectReport {
  kind: string;
  name: string;
  outcome: InjectOutcome | 'not-a-workload';
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
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

function str(doc: Document, path: Path): string | undefined {
  const v: unknown = doc.getIn(path);
  return typeof v === 'string' ? v : undefined;
}

function injectObject(doc: Document, base: Path, kind: string, o: InjectOptions): InjectReport {
  const name = str(doc, [...base, 'metadata', 'name']) ?? '(unnamed)';
  const relative = templatePaths[kind];
  if (relative === undefined) return { kind, name, outcome: 'not-a-workload' };
  const path = [...base, ...relative];
  const node: unknown = doc.getIn(path, true);
  const template: unknown =
    node !== null && typeof node === 'object' && 'toJSON' in node
      ? (node as { toJSON(): unknown }).toJSON()
      : undefined;
  const { proxyVersion, ...options } = o;
  const result = injectPodTemplate(template, {
    options,
    proxyVersion,
    namespaceEnabled: true,
    // A bare Pod names itself (or its generateName does); a workload's template is the workload's.
    ...(kind === 'Pod' ? {} : { workloadName: name }),
  });
  if (result.template !== undefined) applyToYaml(doc, path, jsonDiff(template, result.template));
  return {
    kind,
    name,
    outcome: result.outcome,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
  };
}

/** Whether the source writes `key:\n- item` (sequences not indented), as Bookinfo does. */
function sequencesIndented(text: string): boolean {
  const m = /^( *)[^\s#-][^\n]*:[ \t]*\n\1( *)- /m.exec(text);
  return m === null || (m[2] ?? '').length > 0;
}

/**
 * Adds meshlens to every workload in a multi-document YAML stream, like `linkerd inject`: the
 * pod template goes through `injectPodTemplate` (the webhook's function), and only the nodes
 * it changed are written back, so comments, quoting, sequence indentation and unrelated
 * documents stay as they were; running it twice changes nothing the second time.
 */
export function injectManifests(text: string, options: InjectOptions): InjectResult {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return { output: text, reports: [] };
  const reports: InjectReport[] = [];
  for (const doc of docs) {
    const firstError = doc.errors[0];
    if (firstError !== undefined) throw new Error(`invalid YAML: ${firstError.message}`);
    const kind = str(doc, ['kind']);
    if (kind === undefined) continue;
    if (kind !== 'List') {
      reports.push(injectObject(doc, [], kind, options));
      continue;
    }
    // `kubectl get ... -o yaml` wraps what it returns in a List
    const items: unknown = doc.get('items');
    const count = isSeq(items) ? items.items.length : 0;
    for (let i = 0; i < count; i++) {
      const itemKind = str(doc, ['items', i, 'kind']);
      if (itemKind !== undefined) reports.push(injectObject(doc, ['items', i], itemKind, options));
    }
  }
  const format = {
    lineWidth: 0,
    indentSeq: sequencesIndented(text),
    // `[a, b]` or `[ a, b ]`, as the source writes its flow collections
    flowCollectionPadding: /[[{] [^\s\]}]/.test(text),
  };
  const output = docs.map((d) => d.toString(format)).join('');
  return { output: output.endsWith('\n') ? output : `${output}\n`, reports };
}
