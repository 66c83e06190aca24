import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { injectManifests } from '@meshlens/cli';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { extraEnv, flagForEnv, flagsIn, flagsOf, repoRoot } from './lib/entryPoints';
import { validateManifest } from './lib/kubernetesModels';

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
      'meshlens-proxy',
    ]);
    for (const m of injected) expect(validateManifest(m)).toEqual([]);
  });

  it('containers run entry points with flags and env they accept', async () => {
    const containers = [
      ...byKind('Deployment'),
      ...injected.filter((m) => m.kind === 'Deployment'),
    ].flatMap((d) => [...podSpec(d).containers, ...(podSpec(d).initContainers ?? [])]);
    expect(containers.length).toBe(5);
    for (const c of containers) {
      const argv = [...(c.command ?? []), ...(c.args ?? [])];
      expect(argv.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
      const [entry = '', ...args] = argv.slice(3);
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

  it('RBAC is least privilege: the dashboard reads pods, the control plane reviews tokens, nothing else', () => {
    const roles = [...byKind('ClusterRole'), ...byKind('Role')];
    expect(roles.map((r) => [r.metadata.name, r.rules])).toEqual([
      ['meshlens-web', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]],
    ]);
    const bindings = [...byKind('ClusterRoleBinding'), ...byKind('RoleBinding')];
    expect(bindings.map((b) => [b.roleRef, b.subjects])).toEqual([
      [
        // Kubernetes' built-in role for delegated authentication: create tokenreviews (and subjectaccessreviews)
        {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'system:auth-delegator',
        },
        [{ kind: 'ServiceAccount', name: 'meshlens-control-plane', namespace: 'meshlens' }],
      ],
      [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'meshlens-web' },
        [{ kind: 'ServiceAccount', name: 'meshlens-web', namespace: 'meshlens' }],
      ],
    ]);
    const cp = byKind('Deployment').find((d) => d.metadata.name === 'meshlens-control-plane');
    expect(cp && podSpec(cp).containers[0]?.args).toContain('--kubernetes-token-review');
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
    const proxy = proxyDeployment && (podSpec(proxyDeployment).initContainers?.[0] as Mounted);
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
