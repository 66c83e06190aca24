/** What injection adds to a pod: the meshlens-init container and the proxy as a native sidecar. */
export interface SidecarOptions {
  image: string;
  controlPlaneUrl: string;
  traceCollectorUrl: string;
  tlsMode: 'disabled' | 'permissive' | 'strict';
}

export const proxyContainerName = 'meshlens-proxy';
export const initContainerName = 'meshlens-init';
export const injectAnnotation = 'meshlens.io/inject';
export const versionAnnotation = 'meshlens.io/proxy-version';
/** Port names the dashboard and Prometheus find the proxy by (Linkerd's way: linkerd-admin). */
export const adminPortName = 'meshlens-admin';
export const proxyPorts = { inbound: 4143, outbound: 4140, admin: 4191 } as const;
/** The image's non-root user; meshlens-init exempts its connections from capture. */
export const proxyUid = 2102;

/**
 * Node/V8 flags of every proxy process: the injected sidecar, docker-compose.yml and `npm start`
 * all launch the proxy with these (one source of truth; docs/adr/0021-proxy-memory.md). V8's
 * young generation stops at 4 MB semi-spaces (16 by default) and the old generation grows by
 * 20 % between collections instead of up to 4x: RSS under load 123 -> 85 MB for ~1.05-1.1x CPU
 * per request (apps/proxy/bench/memory.bench.ts; `--optimize-for-size` saved 8 MB more but
 * cost 1.25x CPU). `--no-icu-timezone-data`: V8 asks the C library, not ICU, for the local time
 * zone (Date's results are the same), so the first Date does not page in ICU's time-zone tables
 * (~0.9 MB of the node binary in a sidecar with a control plane; docs/adr/0023). They must be on
 * the command line: V8 reads them before any JavaScript runs.
 */
export const proxyNodeFlags: readonly string[] = [
  '--max-semi-space-size=4',
  '--heap-growing-percent=20',
  '--no-icu-timezone-data',
];
/**
 * Environment of every meshlens process: the image sets it (`ENV` in deploy/docker/Dockerfile,
 * so the injected sidecar, the Kubernetes manifests and docker-compose.yml have it), and
 * `npm start` and `meshlens dashboard` give it to the processes they start. glibc gives each
 * thread that allocates its own malloc arena (up to 8 per core); the BFF's parse workers and V8's
 * helper threads each grew one and left it fragmented: two arenas took the BFF bench's RSS at
 * 1,000 targets from 322-336 to 287-295 MB for no measurable CPU (docs/adr/0027-two-malloc-arenas.md).
 * A value set by the user's own environment wins.
 */
export const runtimeEnv: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** The proxy's command in the image (node + the bundle). */
export const proxyCommand: readonly string[] = [
  'node',
  ...proxyNodeFlags,
  'apps/proxy/dist/main.mjs',
];

export const defaultSidecarOptions: SidecarOptions = {
  image: 'ghcr.io/meshlens/meshlens:0.1.0',
  controlPlaneUrl: 'http://meshlens-control-plane.meshlens.svc.cluster.local:50760',
  traceCollectorUrl: 'http://meshlens-web.meshlens.svc.cluster.local:50750/v1/traces',
  tlsMode: 'permissive',
};

/**
 * The pod's own service-account token, projected for audience `meshlens`: the proxy proves its
 * identity with it and the control plane checks it with TokenReview. kubelet rotates the file
 * (the proxy re-reads it); the token is useless to any other audience.
 */
export const tokenVolumeName = 'meshlens-token';
export const tokenMountPath = '/var/run/secrets/meshlens';
export const tokenAudience = 'meshlens';

export function tokenVolume(): Record<string, unknown> {
  return {
    name: tokenVolumeName,
    projected: {
      sources: [
        {
          serviceAccountToken: { audience: tokenAudience, expirationSeconds: 3600, path: 'token' },
        },
      ],
    },
  };
}

export interface WorkloadFacts {
  workload: string;
  service: string;
  /** The app port the inbound proxy forwards to (the first declared containerPort). */
  appPort: number | undefined;
  /** The pod template's `version` label, when it has one. */
  version: string | undefined;
}

function fieldEnv(name: string, fieldPath: string): Record<string, unknown> {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

function valueEnv(name: string, value: string): Record<string, unknown> {
  return { name, value };
}

function proxyEnv(o: SidecarOptions, w: WorkloadFacts): Record<string, unknown>[] {
  const env = [
    fieldEnv('MESHLENS_POD_IP', 'status.podIP'),
    fieldEnv('MESHLENS_PROXY_NAMESPACE', 'metadata.namespace'),
    fieldEnv('MESHLENS_PROXY_POD', 'metadata.name'),
    fieldEnv('MESHLENS_PROXY_SERVICE_ACCOUNT', 'spec.serviceAccountName'),
    valueEnv('MESHLENS_PROXY_SERVICE', w.service),
    valueEnv('MESHLENS_PROXY_WORKLOAD', w.workload),
    // The pod IP, so the address the proxy registers is one other pods can reach.
    valueEnv('MESHLENS_PROXY_INBOUND_ADDRESS', '$(MESHLENS_POD_IP)'),
    valueEnv('MESHLENS_PROXY_INBOUND_PORT', String(proxyPorts.inbound)),
    valueEnv('MESHLENS_PROXY_OUTBOUND_ADDRESS', '127.0.0.1'),
    valueEnv('MESHLENS_PROXY_OUTBOUND_PORT', String(proxyPorts.outbound)),
    valueEnv('MESHLENS_PROXY_ADMIN_ADDRESS', '$(MESHLENS_POD_IP)'),
    valueEnv('MESHLENS_PROXY_ADMIN_PORT', String(proxyPorts.admin)),
    valueEnv('MESHLENS_PROXY_APP_ADDRESS', '127.0.0.1'),
    valueEnv('MESHLENS_PROXY_CAPTURE', 'enabled'),
  ];
  if (w.version !== undefined) env.push(valueEnv('MESHLENS_PROXY_VERSION', w.version));
  if (w.appPort !== undefined) env.push(valueEnv('MESHLENS_PROXY_APP_PORT', String(w.appPort)));
  env.push(
    valueEnv('MESHLENS_PROXY_CONTROL_PLANE_URL', o.controlPlaneUrl),
    valueEnv('MESHLENS_PROXY_TOKEN_FILE', `${tokenMountPath}/token`),
    valueEnv('MESHLENS_PROXY_TLS_MODE', o.tlsMode),
    valueEnv('MESHLENS_PROXY_TRACE_COLLECTOR_URL', o.traceCollectorUrl),
  );
  return env;
}

/**
 * Runs first, as root with NET_ADMIN (the one exception to the non-root image): redirects the
 * pod's TCP to the proxy. Only the port the proxy forwards to is captured inbound; other app
 * ports are reached directly (the proxy has one app port).
 */
export function initContainer(o: SidecarOptions, w: WorkloadFacts): Record<string, unknown> {
  return {
    name: initContainerName,
    image: o.image,
    command: [
      'node',
      'apps/init/dist/main.mjs',
      '--proxy-uid',
      String(proxyUid),
      '--outbound-port',
      String(proxyPorts.outbound),
      '--inbound-port',
      String(proxyPorts.inbound),
      '--admin-port',
      String(proxyPorts.admin),
      ...(w.appPort === undefined ? [] : ['--inbound-ports', String(w.appPort)]),
    ],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
    securityContext: {
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
    },
  };
}

/**
 * The proxy runs as a Kubernetes native sidecar (an init container with restartPolicy
 * Always, Kubernetes >= 1.29): it is up before the app (and the app's own init containers)
 * start, and it does not keep a Job from completing.
 */
export function proxyContainer(o: SidecarOptions, w: WorkloadFacts): Record<string, unknown> {
  const probe = (path: string): Record<string, unknown> => ({
    httpGet: { path, port: proxyPorts.admin },
    periodSeconds: 5,
  });
  return {
    name: proxyContainerName,
    image: o.image,
    restartPolicy: 'Always',
    command: [...proxyCommand],
    env: proxyEnv(o, w),
    volumeMounts: [{ name: tokenVolumeName, mountPath: tokenMountPath, readOnly: true }],
    ports: [
      { name: 'meshlens-in', containerPort: proxyPorts.inbound },
      { name: adminPortName, containerPort: proxyPorts.admin },
    ],
    startupProbe: { ...probe('/ready'), periodSeconds: 1, failureThreshold: 60 },
    readinessProbe: probe('/ready'),
    livenessProbe: probe('/live'),
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: proxyUid,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  };
}

/**
 * Annotations injection adds. The app's own `prometheus.io/*` annotations are never touched:
 * the proxy is found by its named admin port (Linkerd's way), so both keep being scraped.
 */
export function podAnnotations(version: string): Record<string, string> {
  return { [injectAnnotation]: 'enabled', [versionAnnotation]: version };
}
