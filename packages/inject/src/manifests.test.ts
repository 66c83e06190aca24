import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { testdata } from '../test/testdata';
import { injectManifests } from './manifests';

const inject = (text: string) => injectManifests(text, { proxyVersion: '0.1.0' });

type Json = Record<string, unknown>;
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJSON() as Json);
const template = (workload: Json) => (workload['spec'] as Json)['template'] as Json;
const podSpec = (workload: Json) => template(workload)['spec'] as Json;
const names = (list: unknown) => (list as Json[]).map((c) => c['name']);

/**
 * Lines of `after` that are not in `before`, and how many lines of `before` are gone. Trailing
 * spaces are ignored: the YAML printer does not keep them.
 */
function lineDiff(before: string, after: string): { removed: number; added: string[] } {
  const a = before.split('\n').map((l) => l.trimEnd());
  const b = after.split('\n').map((l) => l.trimEnd());
  const added: string[] = [];
  let i = 0;
  for (const line of b) {
    if (i < a.length && line === a[i]) i++;
    else added.push(line);
  }
  return { removed: a.length - i, added };
}

describe('injectManifests on real manifests', () => {
  it('Bookinfo: the diff only adds lines, and productpage keeps its own prometheus.io annotations', () => {
    const source = testdata('kubernetes/manifests/bookinfo.yaml');
    const { output, reports } = inject(source);
    expect(reports.filter((r) => r.outcome === 'injected').map((r) => r.name)).toEqual([
      'details-v1',
      'ratings-v1',
      'reviews-v1',
      'reviews-v2',
      'reviews-v3',
      'productpage-v1',
    ]);
    const diff = lineDiff(source, output);
    expect(diff.removed).toBe(0);
    // The sequences stay unindented as Bookinfo writes them.
    expect(diff.added).toContain('      - name: meshlens-proxy');
    const productpage = docs(output).find(
      (d) => (d['metadata'] as Json)['name'] === 'productpage-v1',
    )!;
    expect((template(productpage)['metadata'] as Json)['annotations']).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9080',
      'prometheus.io/path': '/metrics',
      'meshlens.io/inject': 'enabled',
      'meshlens.io/proxy-version': '0.1.0',
    });
    const spec = podSpec(productpage);
    expect(names(spec['initContainers'])).toEqual(['meshlens-init', 'meshlens-proxy']);
    expect(names(spec['containers'])).toEqual(['productpage']);
    const proxy = (spec['initContainers'] as Json[])[1]!;
    expect(proxy['ports']).toEqual([
      { name: 'meshlens-in', containerPort: 4143 },
      { name: 'meshlens-admin', containerPort: 4191 },
    ]);
    expect((spec['initContainers'] as Json[])[0]!['command']).toContain('9080');
  });

  it('emojivoto: the diff only adds lines, comments included', () => {
    const source = testdata('kubernetes/manifests/emojivoto.yml');
    const { output, reports } = inject(source);
    expect(reports.filter((r) => r.outcome === 'injected')).toHaveLength(4);
    expect(lineDiff(source, output).removed).toBe(0);
    expect(inject(output).output).toBe(output);
  });

  it('named ports: the probe that names its port is untouched and the named port is the app port', () => {
    const source = testdata('kubernetes/admission/istio/named_port.yaml');
    const [out] = docs(inject(source).output);
    const spec = podSpec(out!);
    expect((spec['containers'] as Json[])[0]!['readinessProbe']).toEqual({
      httpGet: { port: 'http' },
    });
    const env = (spec['initContainers'] as Json[])[1]!['env'] as Json[];
    expect(env.find((e) => e['name'] === 'MESHLENS_PROXY_APP_PORT')).toEqual({
      name: 'MESHLENS_PROXY_APP_PORT',
      value: '80',
    });
  });

  it('existing init containers run after the proxy is up, in their own order', () => {
    const source = testdata('kubernetes/admission/istio/multi-init.yaml');
    const out = inject(source).output;
    expect(names(podSpec(docs(out)[0]!)['initContainers'])).toEqual([
      'meshlens-init',
      'meshlens-proxy',
      'init-one',
      'init-two',
    ]);
    expect(lineDiff(source, out).removed).toBe(0);
  });

  it('several containers: every app container stays as it was', () => {
    const source = testdata('kubernetes/admission/istio/two_container.yaml');
    const before = docs(source)[0]!;
    const after = docs(inject(source).output)[0]!;
    expect(podSpec(after)['containers']).toEqual(podSpec(before)['containers']);
    expect(names(podSpec(after)['initContainers'])).toEqual(['meshlens-init', 'meshlens-proxy']);
  });

  it('multi-document streams inject each workload', () => {
    const { reports } = inject(testdata('kubernetes/admission/istio/hello-multi.yaml'));
    expect(reports.map((r) => `${r.name}:${r.outcome}`)).toEqual([
      'hello-v1:injected',
      'hello-v2:injected',
    ]);
  });
});

describe('injectManifests on workload kinds', () => {
  it('Job and CronJob: the proxy is a native sidecar, so it does not keep the Job running', () => {
    const { output } = inject(`apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{ name: report, image: report:1 }]
---
apiVersion: batch/v1
kind: Job
metadata: { name: once }
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: migrate, image: migrate:1 }]
`);
    const [cron, job] = docs(output);
    const cronSpec = (((cron!['spec'] as Json)['jobTemplate'] as Json)['spec'] as Json)[
      'template'
    ] as Json;
    for (const spec of [cronSpec['spec'] as Json, podSpec(job!)]) {
      const proxy = (spec['initContainers'] as Json[]).find((c) => c['name'] === 'meshlens-proxy')!;
      expect(proxy['restartPolicy']).toBe('Always');
      expect(names(spec['containers'])).toHaveLength(1);
    }
    expect(podSpec(job!)['restartPolicy']).toBe('Never');
  });

  it('hostNetwork pods are skipped with the reason; opt-out is respected; Lists are walked', () => {
    const { output, reports } = inject(`apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: { name: node-agent }
    spec: { hostNetwork: true, containers: [{ name: a, image: a }] }
  - apiVersion: v1
    kind: Pod
    metadata: { name: debug, annotations: { meshlens.io/inject: disabled } }
    spec: { containers: [{ name: d, image: d }] }
  - apiVersion: v1
    kind: Pod
    metadata: { name: web }
    spec: { containers: [{ name: w, image: w, ports: [{ containerPort: 8080 }] }] }
`);
    expect(reports).toEqual([
      {
        kind: 'Pod',
        name: 'node-agent',
        outcome: 'skipped',
        reason:
          'hostNetwork: true pods share the node network: capturing it would capture the node',
      },
      {
        kind: 'Pod',
        name: 'debug',
        outcome: 'skipped',
        reason: 'annotation meshlens.io/inject: disabled',
      },
      { kind: 'Pod', name: 'web', outcome: 'injected' },
    ]);
    const items = (parse(output) as { items: Json[] }).items;
    expect(items.map((p) => names((p['spec'] as Json)['initContainers'] ?? []))).toEqual([
      [],
      [],
      ['meshlens-init', 'meshlens-proxy'],
    ]);
  });

  it('is idempotent and rejects invalid YAML with the parser message', () => {
    const once = inject(testdata('kubernetes/admission/istio/hello.yaml')).output;
    const twice = inject(once);
    expect(twice.output).toBe(once);
    expect(twice.reports.map((r) => r.outcome)).toEqual(['already-injected']);
    expect(() => inject('kind: Pod\n  bad: [')).toThrow(/^invalid YAML: /);
  });
});
