import type { V1Pod } from '@kubernetes/client-node';
import { injectManifests } from '@meshlens/inject';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { podTargets } from './kubernetesDiscovery';

describe('podTargets', () => {
  it('finds an injected proxy (a native sidecar) by its named admin port, not the app’s prometheus.io port', () => {
    const source = `apiVersion: v1
kind: Pod
metadata:
  name: productpage-v1-abc
  namespace: bookinfo
  annotations: { prometheus.io/scrape: "true", prometheus.io/port: "9080" }
spec:
  containers: [{ name: productpage, image: p, ports: [{ containerPort: 9080 }] }]
`;
    const pod = parse(injectManifests(source, { proxyVersion: '0.1.0' }).output) as V1Pod;
    pod.status = { phase: 'Running', podIP: '10.1.2.3' };
    expect(podTargets(pod)).toEqual([
      {
        url: 'http://10.1.2.3:4191/metrics',
        labels: { namespace: 'bookinfo', pod: 'productpage-v1-abc' },
        discovery: 'kubernetes',
      },
    ]);
    // Not injected: the app's own annotations are what is scraped.
    const plain = parse(source) as V1Pod;
    plain.status = { phase: 'Running', podIP: '10.1.2.3' };
    expect(podTargets(plain).map((t) => t.url)).toEqual(['http://10.1.2.3:9080/metrics']);
  });
});
