import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { injectManifests } from '@meshlens/inject';
import { applyPatch, type Operation } from 'fast-json-patch';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa } from '@meshlens/testkit';
import { testdata } from '../test/testdata';
import { createApp, PATHS } from './app';
import { issueServingCert } from './servingCert';

type Json = Record<string, unknown>;
const SERVER_NAME = 'meshlens-injector.meshlens.svc';
const logs: { msg: string; o: object }[] = [];
const logger = {
  info: (o: object, msg: string) => void logs.push({ o, msg }),
  warn: (o: object, msg: string) => void logs.push({ o, msg }),
};
let server: https.Server;
let port = 0;
let caPem = '';
let removeCa: () => void = () => undefined;

/** POSTs over HTTPS, trusting only the mesh CA and checking the webhook's DNS name. */
function post(path: string, body: string): Promise<{ status: number; json: Json }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca: caPem,
        servername: SERVER_NAME,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Json }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function admissionReview(pod: Json, uid = 'b6f2-0001'): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'bookinfo',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: pod,
      dryRun: false,
    },
  });
}

/** The pod after the webhook's JSONPatch (applied with fast-json-patch), or undefined without one. */
function patched(pod: Json, response: Json): Json | undefined {
  const patch = response['patch'];
  if (typeof patch !== 'string') return undefined;
  expect(response['patchType']).toBe('JSONPatch');
  const ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as Operation[];
  return applyPatch(structuredClone(pod), ops, true, false).newDocument;
}

/** What `meshlens inject` makes of the same pod. */
const cliInjected = (pod: Json) =>
  parse(injectManifests(stringify(pod), { proxyVersion: '0.1.0' }).output) as Json;

/** Bookinfo's productpage as its ReplicaSet creates the pod (generateName, no name yet). */
function productpagePod(): Json {
  const deployment = parseAllDocuments(testdata('kubernetes/manifests/bookinfo.yaml'))
    .map((d) => d.toJSON() as Json)
    .find(
      (d) => d['kind'] === 'Deployment' && (d['metadata'] as Json)['name'] === 'productpage-v1',
    )!;
  const template = (deployment['spec'] as Json)['template'] as Json;
  const meta = template['metadata'] as Json;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      generateName: 'productpage-v1-5b8f6d7c9-',
      namespace: 'bookinfo',
      labels: { ...(meta['labels'] as Json), 'pod-template-hash': '5b8f6d7c9' },
    },
    spec: template['spec'],
  };
}

describe('meshlens-injector over HTTPS', () => {
  beforeAll(async () => {
    const ca = await createTestCa();
    removeCa = () => ca.remove();
    caPem = ca.caPem;
    const cert = await issueServingCert(ca.certFile, ca.keyFile, [SERVER_NAME]);
    server = createApp({ cert, logger, admission: { sidecar: {}, proxyVersion: '0.1.0' } });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    removeCa();
  });

  it('patches a pod of an enabled namespace into exactly what `meshlens inject` makes of it', async () => {
    const pod = productpagePod();
    const { status, json } = await post(
      PATHS.namespaceEnabled,
      admissionReview(pod, 'uid-productpage'),
    );
    expect(status).toBe(200);
    expect(json['apiVersion']).toBe('admission.k8s.io/v1');
    const response = json['response'] as Json;
    expect(response['uid']).toBe('uid-productpage');
    expect(response['allowed']).toBe(true);
    const after = patched(pod, response)!;
    expect(after).toEqual(cliInjected(pod));
    // The workload is the Deployment, and the app's scrape annotations are untouched.
    const proxy = ((after['spec'] as Json)['initContainers'] as Json[])[1]!;
    expect((proxy['env'] as Json[]).find((e) => e['name'] === 'MESHLENS_PROXY_WORKLOAD')).toEqual({
      name: 'MESHLENS_PROXY_WORKLOAD',
      value: 'productpage-v1',
    });
    expect(((after['metadata'] as Json)['annotations'] as Json)['prometheus.io/port']).toBe('9080');
    // Posting the injected pod again: already injected, no patch.
    const again = await post(PATHS.namespaceEnabled, admissionReview(after));
    expect((again.json['response'] as Json)['patch']).toBeUndefined();
  });

  it('opts in by pod annotation elsewhere, and respects the opt-out in an enabled namespace', async () => {
    const pod = parse(testdata('kubernetes/admission/istio/pod.yaml')) as Json;
    const plain = await post(PATHS.podAnnotation, admissionReview(pod));
    expect(plain.json['response']).toEqual({ uid: 'b6f2-0001', allowed: true });

    const annotated = structuredClone(pod);
    (annotated['metadata'] as Json)['annotations'] = { 'meshlens.io/inject': 'enabled' };
    const optIn = await post(PATHS.podAnnotation, admissionReview(annotated));
    expect(patched(annotated, optIn.json['response'] as Json)).toEqual(cliInjected(annotated));

    const optOut = structuredClone(pod);
    (optOut['metadata'] as Json)['annotations'] = { 'meshlens.io/inject': 'disabled' };
    const out = await post(PATHS.namespaceEnabled, admissionReview(optOut));
    expect(out.json['response']).toEqual({
      uid: 'b6f2-0001',
      allowed: true,
      warnings: ['meshlens: not injected: annotation meshlens.io/inject: disabled'],
    });
  });

  it('skips hostNetwork pods with a warning', async () => {
    const pod = parse(testdata('kubernetes/admission/istio/pod.yaml')) as Json;
    (pod['spec'] as Json)['hostNetwork'] = true;
    const { json } = await post(PATHS.namespaceEnabled, admissionReview(pod));
    expect(json['response']).toEqual({
      uid: 'b6f2-0001',
      allowed: true,
      warnings: [
        'meshlens: not injected: hostNetwork: true pods share the node network: capturing it would capture the node',
      ],
    });
  });

  it('answers a malformed review with 400 and a log line, and patches nothing', async () => {
    logs.length = 0;
    const notJson = await post(PATHS.namespaceEnabled, '{"apiVersion":');
    expect(notJson.status).toBe(400);
    expect(String(notJson.json['error'])).toMatch(/^body is not JSON: /);
    // A 2019 v1beta1 review recorded by Linkerd (with its upstream typo): not what we accept.
    const old = await post(
      PATHS.namespaceEnabled,
      testdata('kubernetes/admission/linkerd/inject-enabled-request.json'),
    );
    expect(old).toEqual({
      status: 400,
      json: {
        error:
          'apiVersion: apiVersion must be admission.k8s.io/v1 (set admissionReviewVersions: ["v1"])',
      },
    });
    const deployment = JSON.parse(
      testdata('kubernetes/admission/linkerd/inject-enabled-request.json'),
    ) as Json;
    deployment['apiVersion'] = 'admission.k8s.io/v1';
    const notPod = await post(PATHS.namespaceEnabled, JSON.stringify(deployment));
    expect(notPod).toEqual({
      status: 400,
      json: { error: 'request.kind: only Pods are injected, got Deployment' },
    });
    expect(logs.map((l) => l.msg)).toEqual([
      'malformed admission review',
      'malformed admission review',
      'malformed admission review',
    ]);
  });
});
