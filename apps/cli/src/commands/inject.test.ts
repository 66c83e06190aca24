import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { injectManifests } from '@meshlens/inject';

const fixture = (name: string): string =>
  readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8');

describe('injectManifests', () => {
  it.each(['shop', 'workloads'])('%s.yaml gives exactly %s.injected.yaml', (name) => {
    const result = injectManifests(fixture(`${name}.yaml`), { proxyVersion: '0.1.0' });
    expect(result.output).toBe(fixture(`${name}.injected.yaml`));
  });

  it('reports what it did per document', () => {
    const { reports } = injectManifests(fixture('shop.yaml'), { proxyVersion: '0.1.0' });
    expect(reports).toEqual([
      { kind: 'Deployment', name: 'catalog', outcome: 'injected' },
      { kind: 'Service', name: 'catalog', outcome: 'not-a-workload' },
      { kind: 'CronJob', name: 'reindex', outcome: 'injected' },
      {
        kind: 'Pod',
        name: 'debug',
        outcome: 'skipped',
        reason: 'annotation meshlens.io/inject: disabled',
      },
    ]);
  });

  it('is idempotent: injecting injected output changes nothing', () => {
    for (const name of ['shop', 'workloads']) {
      const once = injectManifests(fixture(`${name}.yaml`), { proxyVersion: '0.1.0' });
      const twice = injectManifests(once.output, { proxyVersion: '0.1.0' });
      expect(twice.output).toBe(once.output);
      expect(twice.reports.filter((r) => r.outcome === 'injected')).toEqual([]);
    }
  });

  it('keeps comments and unrelated fields', () => {
    const { output } = injectManifests(fixture('shop.yaml'), { proxyVersion: '0.1.0' });
    expect(output).toContain("# The shop's catalog service, as a team would write it.");
    expect(output).toContain('value: info # keep quiet in production');
    expect(output).toContain('schedule: "*/15 * * * *"');
  });

  it('uses the options given for image, control plane and TLS mode', () => {
    const { output } = injectManifests(fixture('shop.yaml'), {
      proxyVersion: '9.9.9',
      image: 'registry.local/meshlens:dev',
      controlPlaneUrl: 'http://cp.example:8086',
      tlsMode: 'strict',
    });
    expect(output).toContain('image: registry.local/meshlens:dev');
    expect(output).toContain('value: http://cp.example:8086');
    expect(output).toContain('value: strict');
    expect(output).toContain('meshlens.io/proxy-version: 9.9.9');
  });

  it('rejects invalid YAML with the parser message', () => {
    expect(() => injectManifests('kind: Pod\n  bad: [', { proxyVersion: '0.1.0' })).toThrow(
      /^invalid YAML: /,
    );
  });
});

describe('injectManifests on `kubectl get -o yaml` output', () => {
  it('injects the workloads inside a List and leaves other items alone', () => {
    const list = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: apps/v1',
      '    kind: Deployment',
      '    metadata: { name: web, namespace: shop }',
      '    spec:',
      '      selector: { matchLabels: { app: web } }',
      '      template:',
      '        metadata: { labels: { app: web } }',
      '        spec:',
      '          containers: [{ name: web, image: example/web:1, ports: [{ containerPort: 8080 }] }]',
      '  - apiVersion: v1',
      '    kind: Service',
      '    metadata: { name: web, namespace: shop }',
      '',
    ].join('\n');
    const once = injectManifests(list, { proxyVersion: '0.1.0' });
    expect(once.reports).toEqual([
      { kind: 'Deployment', name: 'web', outcome: 'injected' },
      { kind: 'Service', name: 'web', outcome: 'not-a-workload' },
    ]);
    expect(once.output).toContain('initContainers:');
    expect(once.output).toContain('value: "8080"');
    const twice = injectManifests(once.output, { proxyVersion: '0.1.0' });
    expect(twice.output).toBe(once.output);
  });
});
