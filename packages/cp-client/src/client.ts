import type { MeshConfig } from '@meshlens/mesh-config/runtime';
import * as z from 'zod';
import { httpRequest, isOk, readJson } from './httpRequest';
import { silentLogger, type ClientLogger } from './logger';
import {
  certificateResponseSchema,
  configEventSchema,
  controlPlaneStatusSchema,
  endpointListSchema,
  endpointsEventSchema,
  errorResponseSchema,
  leaseEventSchema,
  registerResponseSchema,
  type ConfigEvent,
  type ControlPlaneStatus,
  type Endpoint,
  type EndpointRegistration,
} from './schemas';
import { watchStream } from './watchStream';

/** A bearer token, or a function returning the current one (re-read for every request). */
export type TokenSource = string | (() => string | Promise<string>);

export interface ControlPlaneClientOptions {
  url: string;
  /**
   * The workload's credential: a join token or a projected Kubernetes service-account token.
   * Sent as a bearer token on every call; the control plane answers nothing but /status without.
   * A function is asked again for each request, so a rotated token file is picked up.
   */
  token?: TokenSource;
  logger?: ClientLogger;
  /** Per-request timeout of the JSON API. */
  requestTimeoutMs?: number;
  /** Reconnect backoff of the watches. */
  backoff?: { initialMs?: number; maxMs?: number };
}

export interface IssuedCertificate {
  certificatePem: string;
  caPem: string;
  notAfter: Date;
}

export interface ControlPlaneClient {
  /**
   * Registers (resolves after the first attempt succeeds) and keeps the lease until close():
   * held by a lease stream (one open response, no traffic but the control plane's heartbeats)
   * where the control plane offers it, else renewed every TTL/3. Keeps retrying, also after a
   * failed first attempt or a control-plane restart (the stream's reconnect registers again).
   */
  register(reg: EndpointRegistration): Promise<void>;
  /** `service` is "name.namespace". Snapshot first, then changes; on disconnect the last state stays (no callback) until reconnected. */
  watchEndpoints(
    service: string,
    onUpdate: (eps: Endpoint[], addresses: string[]) => void,
  ): () => void;
  watchConfig(onUpdate: (cfg: MeshConfig, version: string) => void): () => void;
  issueCertificate(csrPem: string): Promise<IssuedCertificate>;
  listEndpoints(): Promise<Endpoint[]>;
  getConfig(): Promise<ConfigEvent>;
  status(): Promise<ControlPlaneStatus>;
  close(): void;
}

export class ControlPlaneError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'ControlPlaneError';
  }
}

export function createControlPlaneClient(opts: ControlPlaneClientOptions): ControlPlaneClient {
  const base = opts.url.replace(/\/+$/, '');
  const logger = opts.logger ?? silentLogger;
  const timeoutMs = opts.requestTimeoutMs ?? 5000;
  const auth = async (): Promise<Record<string, string>> => {
    if (opts.token === undefined) return {};
    const t = typeof opts.token === 'string' ? opts.token : await opts.token();
    return { authorization: `Bearer ${t}` };
  };
  const stops = new Set<() => void>();
  const leases = new Map<
    string,
    { reg: EndpointRegistration; timer?: NodeJS.Timeout; stopStream?: () => void }
  >();
  let closed = false;

  async function call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S>> {
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await httpRequest(`${base}${path}`, {
      method,
      headers: {
        ...(await auth()),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
    });
    const json: unknown = await readJson(res).catch((err: unknown) => {
      // a body cut short by the timeout is the timeout; any other broken body is "not JSON"
      if (signal.aborted) throw err;
      return undefined;
    });
    const status = res.statusCode ?? 0;
    if (!isOk(res)) {
      const err = errorResponseSchema.safeParse(json);
      throw new ControlPlaneError(
        err.success ? err.data.error : `HTTP ${status}`,
        status,
        err.success ? err.data.details : undefined,
      );
    }
    return schema.parse(json);
  }

  /** POSTs the registration; then holds the lease with a stream, or renews it. */
  async function registerOnce(key: string): Promise<void> {
    const lease = leases.get(key);
    if (!lease || closed) return;
    try {
      const r = await call('POST', '/api/v1/endpoints', registerResponseSchema, lease.reg);
      if (r.leaseStream === true) holdLease(key, r.leaseTtlSeconds);
      else scheduleRenew(key, renewInterval(r.leaseTtlSeconds));
    } catch (err) {
      // Upserting re-creates the lease after a control-plane restart; retry soon.
      scheduleRenew(key, 1000);
      throw err;
    }
  }

  function scheduleRenew(key: string, delayMs: number): void {
    const lease = leases.get(key);
    if (!lease || closed) return;
    lease.timer = setTimeout(() => {
      registerOnce(key).catch((err: unknown) => {
        logger.warn({ err: String(err) }, 'lease renewal failed');
      });
    }, delayMs);
    lease.timer.unref();
  }

  function holdLease(key: string, leaseTtlSeconds: number): void {
    const lease = leases.get(key);
    if (!lease || closed || lease.stopStream) return;
    // Reconnects at least as often as renewals would run: a control plane back from a restart
    // must see the stream again before the lease it restored from disk expires.
    const maxMs = Math.min(opts.backoff?.maxMs ?? Infinity, 1000, renewInterval(leaseTtlSeconds));
    lease.stopStream = watchStream({
      url: `${base}/api/v1/endpoints`,
      method: 'POST',
      body: JSON.stringify(lease.reg),
      headers: auth,
      logger,
      backoff: { initialMs: Math.min(opts.backoff?.initialMs ?? 200, maxMs), maxMs },
      onEvent(event, data) {
        if (event === 'lease') leaseEventSchema.parse(JSON.parse(data));
      },
    });
  }

  const release = (lease: { timer?: NodeJS.Timeout; stopStream?: () => void }) => {
    clearTimeout(lease.timer);
    lease.stopStream?.();
  };

  return {
    async register(reg) {
      const key = `${reg.namespace}/${reg.service}/${reg.address}:${reg.port}`;
      const prev = leases.get(key);
      if (prev) release(prev);
      leases.set(key, { reg });
      await registerOnce(key);
    },
    watchEndpoints(service, onUpdate) {
      const url = `${base}/api/v1/watch/endpoints?service=${encodeURIComponent(service)}`;
      return track(
        watchStream({
          url,
          headers: auth,
          logger,
          ...(opts.backoff ? { backoff: opts.backoff } : {}),
          onEvent(event, data) {
            if (event !== 'endpoints') return;
            const e = endpointsEventSchema.parse(JSON.parse(data));
            onUpdate(e.endpoints, e.addresses ?? []);
          },
        }),
      );
    },
    watchConfig(onUpdate) {
      let lastVersion: string | undefined;
      return track(
        watchStream({
          url: `${base}/api/v1/watch/config`,
          headers: auth,
          logger,
          ...(opts.backoff ? { backoff: opts.backoff } : {}),
          onEvent(event, data) {
            if (event !== 'config') return;
            const e = configEventSchema.parse(JSON.parse(data));
            // A reconnect replays the snapshot; only report real changes.
            if (e.version === lastVersion) return;
            lastVersion = e.version;
            onUpdate(e.config, e.version);
          },
        }),
      );
    },
    async issueCertificate(csrPem) {
      const r = await call('POST', '/api/v1/certificates', certificateResponseSchema, {
        csr: csrPem,
      });
      return { certificatePem: r.certificatePem, caPem: r.caPem, notAfter: new Date(r.notAfter) };
    },
    async listEndpoints() {
      return (await call('GET', '/api/v1/endpoints', endpointListSchema)).endpoints;
    },
    getConfig() {
      return call('GET', '/api/v1/config', configEventSchema);
    },
    status() {
      return call('GET', '/api/v1/status', controlPlaneStatusSchema);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const stop of stops) stop();
      stops.clear();
      for (const lease of leases.values()) {
        release(lease);
        const { reg } = lease;
        // Best effort: the lease expires anyway if this does not arrive.
        const body = {
          namespace: reg.namespace,
          service: reg.service,
          address: reg.address,
          port: reg.port,
        };
        void call('DELETE', '/api/v1/endpoints', z.unknown(), body).catch(() => {});
      }
      leases.clear();
    },
  };

  function track(stop: () => void): () => void {
    if (closed) {
      stop();
      return () => {};
    }
    const wrapped = () => {
      stops.delete(wrapped);
      stop();
    };
    stops.add(wrapped);
    return wrapped;
  }
}

function renewInterval(leaseTtlSeconds: number): number {
  // Three renewals per lease: one lost request does not expire the endpoint.
  return Math.max(100, (leaseTtlSeconds * 1000) / 3);
}
