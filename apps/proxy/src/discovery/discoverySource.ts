/** An endpoint of a destination service, with the metadata used for metrics labels. */
export interface EndpointInfo {
  namespace: string;
  service: string;
  workload: string;
  pod: string;
  version?: string | undefined;
  serviceAccount?: string | undefined;
  address: string;
  port: number;
  adminAddress?: string | undefined;
  adminPort?: number | undefined;
}

/** Per-destination settings (timeouts, retries) that a source may carry. */
export interface DestinationPolicy {
  timeoutMs?: number | undefined;
  retryOnStatuses?: number[] | undefined;
  maxRetries?: number | undefined;
}

/**
 * Where endpoints come from. The file source and the control-plane source implement it;
 * the balancer only sees `endpoints()` and `onChange`.
 */
export interface DiscoverySource {
  /** Endpoints of `name.namespace`, or undefined when the service is unknown to this source. */
  endpoints(service: string): EndpointInfo[] | undefined;
  policy(service: string): DestinationPolicy | undefined;
  /** Optional: the service (`name.namespace`) whose own address (e.g. ClusterIP) is address:port. */
  serviceAt?(address: string, port: number): string | undefined;
  /**
   * Optional: get ready to answer for a service not asked about before (start a watch) and
   * resolve when its first state is in (or after a bounded wait).
   */
  prepare?(service: string): Promise<void>;
  /** Called after any change of endpoints; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Start watching; resolves once the first state is loaded (or failed with a clear error). */
  start(): Promise<void>;
  stop(): void;
  /** Debug view for /endpoints. */
  describe(): unknown;
  /** True once a usable state has been loaded. */
  ready(): boolean;
}

/** `reviews.shop`, `reviews.shop.svc.cluster.local`, optional `:port` -> `reviews.shop`. */
export function serviceKeyFromAuthority(authority: string): string | undefined {
  const host = authority.toLowerCase().replace(/:\d+$/, '');
  const m =
    /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.svc\.cluster\.local\.?)?$/.exec(
      host,
    );
  if (m === null) return undefined;
  return `${m[1]}.${m[3]}`;
}
