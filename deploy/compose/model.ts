import { shopInstances, shopNamespace } from '@meshlens/demo';
import type { InstanceSpec } from '@meshlens/demo';
import { proxyNodeFlags } from '@meshlens/inject';

/**
 * docker-compose.yml as data: the demo shop in containers, each instance with its proxy in
 * the same network namespace (like a pod), a real Prometheus scraping every proxy, and the
 * dashboard in prometheus mode. `npm run generate -w @meshlens/deploy` writes it; a test
 * checks the committed file is what this produces.
 */
export const image = 'meshlens:0.1.0';
export const ports = {
  controlPlane: 50760,
  dashboard: 50750,
  app: 8080,
  inbound: 4143,
  outbound: 4140,
  admin: 4191,
  prometheus: 9090,
};
const cpUrl = `http://control-plane:${ports.controlPlane}`;
/** Where the one-shot `join-tokens` service leaves one join token per workload. */
export const tokenDir = '/tokens';
export const tokenFileOf = (workload: string): string => `${tokenDir}/${workload}.token`;

/**
 * One join token per workload, created with the control plane's admin token (from its data
 * volume) by `meshlens token create`, once: files that exist are kept on a re-run. Tokens live
 * a year; revoke one with `meshlens token revoke` and delete its file to get a new one.
 */
function joinTokensScript(): string {
  const cli = 'node apps/cli/bin/meshlens.mjs token create';
  const admin = `--control-plane-url ${cpUrl} --admin-token-file /cp-data/admin.token`;
  const create = (namespace: string, sa: string, file: string) =>
    `[ -s ${file} ] || until ${cli} -n ${namespace} --service-account ${sa} --ttl 365d ${admin} > ${file}.tmp && mv ${file}.tmp ${file}; do sleep 1; done`;
  const workloads = new Map(shopInstances.map((i) => [i.workload, i.serviceAccount]));
  return [
    ...[...workloads].map(([workload, sa]) => create(shopNamespace, sa, tokenFileOf(workload))),
    create('meshlens', 'meshlens-dashboard', tokenFileOf('dashboard')),
  ].join('\n');
}

type Service = Record<string, unknown>;

const meshlens = (command: string[], extra: Service = {}): Service => ({
  image,
  command,
  restart: 'unless-stopped',
  read_only: true,
  tmpfs: ['/tmp'],
  ...extra,
});

function appService(i: InstanceSpec): Service {
  return meshlens(
    [
      'apps/demo/dist/main.mjs',
      '--service',
      i.service,
      '--version',
      i.version,
      '--workload',
      i.workload,
      '--pod',
      i.pod,
      '--address',
      '127.0.0.1',
      '--port',
      String(ports.app),
      '--outbound-url',
      `http://127.0.0.1:${ports.outbound}`,
    ],
    { hostname: i.pod },
  );
}

function proxyService(i: InstanceSpec): Service {
  // the image's entrypoint is node: the proxy's V8 flags come first, as in the injected sidecar
  return meshlens([...proxyNodeFlags, 'apps/proxy/dist/main.mjs'], {
    network_mode: `service:${i.pod}`,
    depends_on: {
      [i.pod]: { condition: 'service_started' },
      'join-tokens': { condition: 'service_completed_successfully' },
    },
    volumes: [`join-tokens:${tokenDir}:ro`],
    environment: {
      MESHLENS_PROXY_NAMESPACE: shopNamespace,
      MESHLENS_PROXY_SERVICE: i.service,
      MESHLENS_PROXY_WORKLOAD: i.workload,
      MESHLENS_PROXY_POD: i.pod,
      MESHLENS_PROXY_VERSION: i.version,
      MESHLENS_PROXY_SERVICE_ACCOUNT: i.serviceAccount,
      MESHLENS_PROXY_APP_ADDRESS: '127.0.0.1',
      MESHLENS_PROXY_APP_PORT: String(ports.app),
      // binding the container's own name registers an address the other containers resolve
      MESHLENS_PROXY_INBOUND_ADDRESS: i.pod,
      MESHLENS_PROXY_INBOUND_PORT: String(ports.inbound),
      MESHLENS_PROXY_OUTBOUND_ADDRESS: '127.0.0.1',
      MESHLENS_PROXY_OUTBOUND_PORT: String(ports.outbound),
      MESHLENS_PROXY_ADMIN_ADDRESS: i.pod,
      MESHLENS_PROXY_ADMIN_PORT: String(ports.admin),
      MESHLENS_PROXY_CONTROL_PLANE_URL: cpUrl,
      MESHLENS_PROXY_TOKEN_FILE: tokenFileOf(i.workload),
      MESHLENS_PROXY_TLS_MODE: 'strict',
      MESHLENS_PROXY_TRUST_DOMAIN: 'cluster.local',
      MESHLENS_PROXY_TRACE_COLLECTOR_URL: `http://dashboard:${ports.dashboard}/v1/traces`,
      MESHLENS_PROXY_TRACE_SAMPLE_RATE: '0.5',
    },
  });
}

export function composeModel(): Record<string, unknown> {
  const services: Record<string, Service> = {
    'control-plane': meshlens(
      [
        'apps/control-plane/dist/main.mjs',
        '--address',
        '0.0.0.0',
        '--port',
        String(ports.controlPlane),
        '--config-dir',
        '/app/apps/demo/mesh-config',
        '--data-dir',
        '/data',
        '--trust-domain',
        'cluster.local',
      ],
      {
        build: { context: '.', dockerfile: 'deploy/docker/Dockerfile' },
        volumes: ['control-plane-data:/data'],
      },
    ),
    'join-tokens': {
      image,
      entrypoint: ['sh', '-ec'],
      command: [joinTokensScript()],
      depends_on: ['control-plane'],
      // the admin token is in the control plane's data volume; nothing else of it is used
      volumes: ['control-plane-data:/cp-data:ro', `join-tokens:${tokenDir}`],
      read_only: true,
    },
    dashboard: meshlens(
      [
        'apps/bff/dist/main.mjs',
        '--address',
        '0.0.0.0',
        '--port',
        String(ports.dashboard),
        // proxies post spans to http://dashboard:50750/v1/traces: allow that Host too
        '--allowed-host',
        'dashboard',
        '--source',
        'prometheus',
        '--prometheus-url',
        `http://prometheus:${ports.prometheus}`,
        '--control-plane-url',
        cpUrl,
        '--control-plane-token-file',
        tokenFileOf('dashboard'),
      ],
      {
        depends_on: {
          prometheus: { condition: 'service_started' },
          'join-tokens': { condition: 'service_completed_successfully' },
        },
        volumes: [`join-tokens:${tokenDir}:ro`],
        ports: [`127.0.0.1:${ports.dashboard}:${ports.dashboard}`],
      },
    ),
    prometheus: {
      image: 'prom/prometheus:v3.5.0',
      command: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.retention.time=2h',
        '--web.enable-lifecycle',
      ],
      volumes: ['./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro'],
      ports: [`127.0.0.1:${ports.prometheus}:${ports.prometheus}`],
      restart: 'unless-stopped',
    },
  };
  for (const i of shopInstances) {
    services[i.pod] = appService(i);
    services[`${i.pod}-proxy`] = proxyService(i);
  }
  return { services, volumes: { 'control-plane-data': {}, 'join-tokens': {} } };
}

/** Prometheus scrapes every proxy's admin port with the target labels Linkerd's setup adds. */
export function prometheusModel(): Record<string, unknown> {
  return {
    global: { scrape_interval: '5s', evaluation_interval: '5s' },
    scrape_configs: [
      {
        job_name: 'meshlens-proxy',
        static_configs: shopInstances.map((i) => ({
          targets: [`${i.pod}:${ports.admin}`],
          labels: {
            namespace: shopNamespace,
            deployment: i.workload,
            pod: i.pod,
            service: i.service,
            version: i.version,
          },
        })),
      },
      {
        job_name: 'meshlens-control-plane',
        static_configs: [{ targets: [`control-plane:${ports.controlPlane}`] }],
      },
    ],
  };
}
