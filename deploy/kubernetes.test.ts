import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { injectManifests } from '@meshlens/cli';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { extraEnv, flagForEnv, flagsIn, flagsOf, repoRoot } from './lib/entryPoints';
import { validateManifest } from './lib/kubernetesModels';
import { createTestCa } from '@meshlens/testkit';

const run = promisify(execFile);

const dir = join(repoRoot, 'deploy/kubernetes');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

function load(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Manifest);
}

const manifestFiles = [
  ...readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml'),
  ...readdirSync(join(dir, 'examples')).map((f) => `examples/${f}`),
];
const all = manifestFiles.flatMap((f) => load(join(dir, f)).map((m) => [f, m] as const));
const byKind = (kind: string): Manifest[] =>
  all.filter(([, m]) => m.kind === kind).map(([, m]) => m);

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string }[];
  ports?: { name?: string; containerPort: number }[];
}
interface PodSpec {
  serviceAccountName?: string;
  containers: Container[];
  initContainers?: Container[];
}
const podSpec = (m: Manifest): PodSpec => (m.spec as { template: { spec: PodSpec } }).template.spec;
const injected = load(join(dir, 'examples/shop-catalog.yaml'))
  .map((m) => injectManifests(`${JSON.stringify(m)}\n`, { proxyVersion: '0.1.0' }).output)
  .flatMap((text) => parseAllDocuments(text).map((d) => d.toJS() as Manifest));

describe('deploy/kubernetes manifests', () => {
  it('kustomization lists every manifest of the folder', () => {
    const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect([...k.resources].sort()).toEqual(
      manifestFiles.filter((f) => !f.startsWith('examples/')).sort(),
    );
  });

  it.each(all.map(([f, m]) => [`${f} ${m.kind}/${m.metadata.name}`, m] as const))(
    '%s is valid against the Kubernetes API schema',
    (_name, m) => {
      expect(validateManifest(m)).toEqual([]);
    },
  );

  it('the schema check has teeth: a string port and a missing image are rejected', () => {
    const d = structuredClone(byKind('Deployment')[0]) as Manifest;
    const c = podSpec(d).containers[0] as unknown as Record<string, unknown>;
    c.ports = [{ containerPort: 'http' }];
    delete c.image;
    const problems = validateManifest(d);
    expect(problems.join('\n')).toContain('containers/0/ports/0/containerPort must be integer');
  });

  it('a workload injected by `meshlens inject` is still valid', () => {
    const deployment = injected.find((m) => m.kind === 'Deployment');
    expect(deployment && podSpec(deployment).initContainers?.map((c) => c.name)).toEqual([
      'meshlens-init',
      'meshlens-proxy',
    ]);
    for (const m of injected) expect(validateManifest(m)).toEqual([]);
  });

  it('containers run entry points with flags and env they accept', async () => {
    const containers = [
      ...byKind('Deployment'),
      ...injected.filter((m) => m.kind === 'Deployment'),
    ].flatMap((d) => [...podSpec(d).containers, ...(podSpec(d).initContainers ?? [])]);
    // control plane, dashboard, injector, the example app; injected: the app, meshlens-init, proxy
    expect(containers.length).toBe(7);
    for (const c of containers) {
      const argv = [...(c.command ?? []), ...(c.args ?? [])];
      // bundled JavaScript, not the tsx loader
      expect(argv[0]).toBe('node');
      // node's own options (the proxy's V8 flags) may come before the entry point
      const at = argv.findIndex((a, i) => i > 0 && !a.startsWith('--'));
      const nodeOptions = argv.slice(1, at);
      if (nodeOptions.length > 0) execFileSync(process.execPath, [...nodeOptions, '-e', '']);
      expect(argv[at]).toMatch(/^apps\/[a-z-]+\/dist\/main\.mjs$/);
      const [entry = '', ...args] = argv.slice(at);
      const known = await flagsOf(entry);
      expect(flagsIn(args).filter((f) => !known.has(f))).toEqual([]);
      const unknownEnv = (c.env ?? [])
        .map((e) => e.name)
        .filter((name) => name !== 'MESHLENS_POD_IP' && !(extraEnv[entry] ?? []).includes(name))
        .filter((name) => {
          const flag = flagForEnv(entry, name);
          return flag === undefined || !known.has(flag);
        });
      expect(unknownEnv).toEqual([]);
    }
  });

  it('Services target ports their pods declare', () => {
    for (const svc of byKind('Service')) {
      const spec = svc.spec as {
        selector: Record<string, string>;
        ports: { targetPort: string | number }[];
      };
      const pods = [
        ...byKind('Deployment'),
        ...injected.filter((m) => m.kind === 'Deployment'),
      ].filter((d) => {
        const labels = (d.spec as { template: { metadata: { labels: Record<string, string> } } })
          .template.metadata.labels;
        return (
          d.metadata.namespace === svc.metadata.namespace &&
          Object.entries(spec.selector).every(([k, v]) => labels[k] === v)
        );
      });
      const declared = pods
        .flatMap((d) => [...podSpec(d).containers, ...(podSpec(d).initContainers ?? [])])
        .flatMap((c) => c.ports ?? []);
      for (const p of spec.ports) {
        const found = declared.some(
          (d) => d.name === p.targetPort || d.containerPort === p.targetPort,
        );
        expect(found, `${svc.metadata.name} targetPort ${p.targetPort}`).toBe(true);
      }
    }
  });

  it('RBAC is least privilege: the dashboard reads pods; the control plane reads what routes traffic and writes only status, its Lease and its CA Secret', () => {
    const rules = (name: string, kind: string) =>
      all.find(([, m]) => m.kind === kind && m.metadata.name === name)?.[1]['rules'];
    expect(rules('meshlens-web', 'ClusterRole')).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    const cpRules = rules('meshlens-control-plane', 'ClusterRole') as Array<{
      apiGroups: string[];
      resources: string[];
      verbs: string[];
    }>;
    // Writes cluster-wide: status subresources only.
    for (const r of cpRules.filter(
      (x) => !x.verbs.every((v) => ['get', 'list', 'watch'].includes(v)),
    ))
      expect(r.resources.every((res) => res.endsWith('/status')) && r.verbs).toEqual(['update']);
    expect(cpRules.flatMap((r) => r.resources).sort()).toEqual(
      [
        'authorizationpolicies',
        'authorizationpolicies/status',
        'endpointslices',
        'faultpolicies',
        'faultpolicies/status',
        'httproutes',
        'httproutes/status',
        'meshpolicies',
        'meshpolicies/status',
        'pods',
        'services',
      ].sort(),
    );
    // Namespaced: get/update only by name; create is all Kubernetes allows for new objects.
    const nsRules = rules('meshlens-control-plane', 'Role') as Array<{
      resources: string[];
      resourceNames?: string[];
      verbs: string[];
    }>;
    for (const r of nsRules) {
      if (r.resourceNames === undefined) expect(r.verbs).toEqual(['create']);
      else expect(r.resourceNames).toHaveLength(1);
    }
    expect(nsRules.flatMap((r) => r.resources).sort()).toEqual([
      'leases',
      'leases',
      'secrets',
      'secrets',
    ]);
    const roles = [...byKind('ClusterRole'), ...byKind('Role')].map(
      (r) => `${r.kind}/${r.metadata.name}`,
    );
    expect(roles.sort()).toEqual([
      'ClusterRole/meshlens-control-plane',
      'ClusterRole/meshlens-web',
      'Role/meshlens-control-plane',
    ]);
    const bindings = [...byKind('ClusterRoleBinding'), ...byKind('RoleBinding')];
    expect(
      bindings
        .map((b) => {
          const subjects = b['subjects'] as Array<{ name: string }>;
          const roleRef = b['roleRef'] as { name: string };
          return `${b.kind}: ${roleRef.name} -> ${subjects.map((x) => x.name).join(',')}`;
        })
        .sort(),
    ).toEqual([
      // Kubernetes' built-in role for delegated authentication: create tokenreviews
      'ClusterRoleBinding: meshlens-control-plane -> meshlens-control-plane',
      'ClusterRoleBinding: meshlens-web -> meshlens-web',
      'ClusterRoleBinding: system:auth-delegator -> meshlens-control-plane',
      'RoleBinding: meshlens-control-plane -> meshlens-control-plane',
    ]);
  });

  it('our policy CRDs accept the demo shop policies and reject what the control plane would', () => {
    const shop = parseAllDocuments(
      readFileSync(join(repoRoot, 'apps/demo/mesh-config/shop.yaml'), 'utf8'),
    )
      .map((d) => d.toJS() as Manifest)
      .filter((m) => m.apiVersion === 'meshlens.io/v1alpha1');
    expect(shop.map((m) => m.kind).sort()).toEqual(
      expect.arrayContaining(['AuthorizationPolicy', 'FaultPolicy', 'MeshPolicy']),
    );
    for (const m of shop) expect(validateManifest(m)).toEqual([]);
    const bad = structuredClone(shop.find((m) => m.kind === 'AuthorizationPolicy')) as Manifest;
    (bad['spec'] as { action: string }).action = 'MAYBE';
    expect(validateManifest(bad).join('\n')).toContain(
      '/spec/action must be equal to one of the allowed values',
    );
    const noFault = structuredClone(shop.find((m) => m.kind === 'FaultPolicy')) as Manifest;
    delete (noFault['spec'] as { delay?: unknown }).delay;
    delete (noFault['spec'] as { abort?: unknown }).abort;
    expect(validateManifest(noFault).length).toBeGreaterThan(0);
  });

  it('the control plane runs as replicas reading the API, with its identity from the downward API', () => {
    const cp = byKind('Deployment').find((d) => d.metadata.name === 'meshlens-control-plane');
    const spec = cp?.spec as { replicas: number };
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    const c = cp && podSpec(cp).containers[0];
    expect(c?.args).toContain('--kubernetes');
    expect(c?.args).not.toContain('--config-dir');
    expect(c?.env?.map((e) => e.name)).toEqual(
      expect.arrayContaining(['POD_NAME', 'POD_NAMESPACE']),
    );
  });

  it('the webhook configuration carries the mesh CA, fails open, answers fast and calls svc/meshlens-injector', async () => {
    const ca = await createTestCa();
    try {
      const config = parse(
        (
          await run(process.execPath, [
            '--import',
            'tsx',
            join(repoRoot, 'apps/injector/src/main.ts'),
            'webhook-config',
            '--ca-cert-file',
            ca.certFile,
          ])
        ).stdout,
      ) as Manifest & { webhooks: Record<string, unknown>[] };
      expect(validateManifest(config)).toEqual([]);
      const svc = byKind('Service').find((x) => x.metadata.name === 'meshlens-injector')!;
      const svcPort = (svc.spec as { ports: { port: number }[] }).ports[0]?.port;
      expect(config.webhooks.map((w) => w['name'])).toEqual([
        'namespace.inject.meshlens.io',
        'pod.inject.meshlens.io',
      ]);
      for (const w of config.webhooks) {
        expect(w['failurePolicy']).toBe('Ignore');
        expect(w['timeoutSeconds']).toBeLessThanOrEqual(5);
        expect(w['admissionReviewVersions']).toEqual(['v1']);
        const client = w['clientConfig'] as { caBundle: string; service: Record<string, unknown> };
        expect(Buffer.from(client.caBundle, 'base64').toString('utf8')).toBe(ca.caPem);
        expect(client.service).toMatchObject({
          name: svc.metadata.name,
          namespace: svc.metadata.namespace,
          port: svcPort,
        });
      }
      // The injector serves with a certificate from that same CA: it mounts the Secret that the
      // control plane's replicas share through the API (they may read exactly that Secret).
      const injector = byKind('Deployment').find((d) => d.metadata.name === 'meshlens-injector')!;
      expect(podSpec(injector).containers[0]?.args).toContain('/etc/meshlens/ca/tls.crt');
      const volumes = (podSpec(injector) as { volumes?: { secret?: { secretName: string } }[] })
        .volumes;
      expect(volumes?.some((v) => v.secret?.secretName === 'meshlens-ca')).toBe(true);
      const cpRole = byKind('Role').find((r) => r.metadata.name === 'meshlens-control-plane');
      const cpRules = (cpRole?.['rules'] ?? []) as Array<{ resourceNames?: string[] }>;
      expect(cpRules.some((r) => r.resourceNames?.includes('meshlens-ca'))).toBe(true);
    } finally {
      ca.remove();
    }
  });

  it('every party proves its service account with a token projected for audience meshlens', () => {
    interface Volume {
      name: string;
      projected?: { sources: { serviceAccountToken?: { audience: string; path: string } }[] };
    }
    interface Mounted extends Container {
      volumeMounts?: { name: string; mountPath: string }[];
    }
    const tokenFileOf = (d: Manifest, c: Mounted, file: string | undefined): string | undefined => {
      const volumes = ((podSpec(d) as { volumes?: Volume[] }).volumes ?? []).filter(
        (v) => v.projected?.sources[0]?.serviceAccountToken?.audience === 'meshlens',
      );
      for (const v of volumes) {
        const mount = c.volumeMounts?.find((m) => m.name === v.name);
        const path = v.projected?.sources[0]?.serviceAccountToken?.path;
        if (mount && `${mount.mountPath}/${path}` === file) return file;
      }
      return undefined;
    };
    const proxyDeployment = injected.find((m) => m.kind === 'Deployment');
    const proxy =
      proxyDeployment &&
      (podSpec(proxyDeployment).initContainers?.find(
        (c) => c.name === 'meshlens-proxy',
      ) as Mounted);
    const proxyFile = (proxy?.env as { name: string; value?: string }[] | undefined)?.find(
      (e) => e.name === 'MESHLENS_PROXY_TOKEN_FILE',
    )?.value;
    expect(proxyDeployment && proxy && tokenFileOf(proxyDeployment, proxy, proxyFile)).toBe(
      '/var/run/secrets/meshlens/token',
    );
    const web = byKind('Deployment').find((d) => d.metadata.name === 'meshlens-web');
    const container = web && (podSpec(web).containers[0] as Mounted);
    const args = container?.args ?? [];
    const webFile = args[args.indexOf('--control-plane-token-file') + 1];
    expect(web && container && tokenFileOf(web, container, webFile)).toBe(
      '/var/run/secrets/meshlens/token',
    );
  });

  it('the dashboard reads Prometheus and is reachable as svc/meshlens-web (what `meshlens dashboard --kube` forwards to)', () => {
    const web = byKind('Deployment').find((d) => d.metadata.name === 'meshlens-web');
    const args = web ? (podSpec(web).containers[0]?.args ?? []) : [];
    expect(args).toContain('--prometheus-url');
    expect(args[args.indexOf('--source') + 1]).toBe('prometheus');
    const svc = byKind('Service').find((s) => s.metadata.name === 'meshlens-web');
    expect((svc?.spec as { ports: { port: number }[] }).ports[0]?.port).toBe(50750);
  });
});
