import { shopInstances, shopNamespace } from '@meshlens/demo';
import type { InstanceSpec } from '@meshlens/demo';

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
export const bootstrapToken = '${MESHLENS_BOOTSTRAP_TOKEN:-meshlens-demo-bootstrap}';
const cpUrl = `http://control-plane:${ports.controlPlane}`;

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
  return meshlens(['apps/proxy/dist/main.mjs'], {
    network_mode: `service:${i.pod}`,
    depends_on: [i.pod, 'control-plane'],
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
      MESHLENS_PROXY_BOOTSTRAP_TOKEN: bootstrapToken,
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
        environment: { MESHLENS_BOOTSTRAP_TOKEN: bootstrapToken },
        volumes: ['control-plane-data:/data'],
      },
    ),
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
      ],
      {
        depends_on: ['prometheus', 'control-plane'],
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
  return { services, volumes: { 'control-plane-data': {} } };
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
