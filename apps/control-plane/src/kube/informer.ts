import type {
  KubeConfig,
  KubernetesObject,
  ListWatch as ListWatchType,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface KubeList<T> {
  metadata?: { resourceVersion?: string };
  items: T[];
}

/** A cache of one resource kind kept current by list + watch. */
export interface Informer<T extends KubernetesObject> {
  list(): T[];
  get(namespace: string, name: string): T | undefined;
  /** True once the first list has been applied. */
  synced(): boolean;
  /** Fires after every add, update or delete (and after a re-list). */
  onChange(listener: () => void): () => void;
  stop(): void;
}

export interface InformerOptions<T> {
  kubeConfig: KubeConfig;
  /** API path of the collection, e.g. `/apis/discovery.k8s.io/v1/endpointslices`. */
  path: string;
  list: () => Promise<KubeList<T>>;
  logger: Logger;
  /** For logs: `EndpointSlice`, `HTTPRoute`, ... */
  kind: string;
  /** First retry after a failed list or watch; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * List, then watch from the list's resourceVersion, as client-go's reflector does, using the
 * `ListWatch` of `@kubernetes/client-node`: a watch that ends is resumed from the last seen
 * resourceVersion (bookmarks move it forward without objects), a `410 Gone` re-lists, and any
 * other failure retries with exponential backoff while the last known objects stay in force.
 */
export async function startInformer<T extends KubernetesObject>(
  opts: InformerOptions<T>,
): Promise<Informer<T>> {
  const k8s = await import('@kubernetes/client-node');
  const listeners = new Set<() => void>();
  const emit = () => {
    for (const l of listeners) l();
  };
  // Bookmarks are opt-in per watch request; the library's Watch does not ask for them.
  const inner = new k8s.Watch(opts.kubeConfig);
  const watch = {
    watch: (
      path: string,
      query: Record<string, string | number | boolean | undefined>,
      cb: (phase: string, obj: unknown, watchObj?: unknown) => void,
      done: (err: unknown) => void,
    ) => inner.watch(path, { ...query, allowWatchBookmarks: true }, cb, done),
  } as unknown as InstanceType<typeof k8s.Watch>;
  let synced = false;
  const lw: ListWatchType<T> = new k8s.ListWatch<T>(
    opts.path,
    watch,
    async () => {
      const l = await opts.list();
      synced = true;
      // ListWatch applies the items after this resolves; tell listeners on the next turn.
      setImmediate(emit);
      return l;
    },
    false,
  );
  const initial = opts.backoffMs ?? 500;
  const max = opts.maxBackoffMs ?? 30_000;
  let backoff = initial;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  lw.on('add', emit);
  lw.on('update', emit);
  lw.on('delete', emit);
  lw.on('connect', () => {
    backoff = initial;
  });
  lw.on('error', (err: unknown) => {
    if (stopped) return;
    const e = err as { message?: string; statusCode?: number; code?: number | string };
    opts.logger.warn(
      {
        kind: opts.kind,
        err: e.message ?? String(err),
        status: e.statusCode ?? e.code ?? null,
        retryInMs: backoff,
      },
      'kubernetes list/watch failed; keeping the last known objects',
    );
    clearTimeout(timer);
    timer = setTimeout(() => {
      void lw.start();
    }, backoff);
    timer.unref();
    backoff = Math.min(max, backoff * 2);
  });
  await lw.start();
  return {
    list: () => [...lw.list()],
    get: (namespace, name) => lw.get(name, namespace),
    synced: () => synced,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      void lw.stop();
      listeners.clear();
    },
  };
}
