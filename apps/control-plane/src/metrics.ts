import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type CpMetrics = ReturnType<typeof createMetrics>;

/** The control plane's own metrics; gauges that mirror state are filled by collect callbacks. */
export function createMetrics(state: {
  endpoints: () => number;
  watches: () => { endpoints: number; config: number; leases: number };
  configVersion: () => string;
  earliestCertExpiry: () => Date | null;
  caExpiry: Date;
}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meshlens_cp_' });
  new Gauge({
    name: 'meshlens_cp_registered_endpoints',
    help: 'Endpoints with a live lease',
    registers: [registry],
    collect() {
      this.set(state.endpoints());
    },
  });
  new Gauge({
    name: 'meshlens_cp_active_watches',
    help: 'Open watch streams by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const w = state.watches();
      this.set({ kind: 'endpoints' }, w.endpoints);
      this.set({ kind: 'config' }, w.config);
      this.set({ kind: 'lease' }, w.leases);
    },
  });
  new Gauge({
    name: 'meshlens_cp_config_info',
    help: 'Configuration version in force (value 1)',
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ version: state.configVersion() }, 1);
    },
  });
  const reloads = new Counter({
    name: 'meshlens_cp_config_reloads_total',
    help: 'Configuration loads by result (applied, unchanged, rejected)',
    labelNames: ['result'],
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'meshlens_cp_config_rejections_total',
    help: 'Configuration changes rejected as invalid (the previous version stayed in force)',
    registers: [registry],
  });
  const certsIssued = new Counter({
    name: 'meshlens_cp_certificates_issued_total',
    help: 'Workload certificates issued',
    registers: [registry],
  });
  const certsRefused = new Counter({
    name: 'meshlens_cp_certificate_requests_refused_total',
    help: 'Certificate requests refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'meshlens_cp_certificate_earliest_expiry_timestamp_seconds',
    help: 'Expiry of the soonest-expiring unexpired certificate issued by this process (0 if none)',
    registers: [registry],
    collect() {
      const t = state.earliestCertExpiry();
      this.set(t ? t.getTime() / 1000 : 0);
    },
  });
  new Gauge({
    name: 'meshlens_cp_ca_expiry_timestamp_seconds',
    help: 'Expiry of the CA certificate',
    registers: [registry],
    collect() {
      this.set(state.caExpiry.getTime() / 1000);
    },
  });
  const requests = new Counter({
    name: 'meshlens_cp_http_requests_total',
    help: 'API requests by method, route and status code',
    labelNames: ['method', 'route', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'meshlens_cp_http_request_duration_seconds',
    help: 'API request duration (watch streams excluded)',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const pushes = new Counter({
    name: 'meshlens_cp_watch_events_sent_total',
    help: 'Events pushed to watchers by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  return { registry, reloads, rejections, certsIssued, certsRefused, requests, duration, pushes };
}
