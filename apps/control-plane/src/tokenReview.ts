import { createHash } from 'node:crypto';
import type { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';
import * as z from 'zod';
import { ForbiddenError, UnauthorizedError, UnavailableError } from './errors';
import type { WorkloadIdentityClaim } from './joinTokens';

/** Verifies a pod's projected service-account token with the Kubernetes TokenReview API. */
export interface TokenReviewer {
  review(token: string): Promise<WorkloadIdentityClaim>;
}

export interface TokenReviewerOptions {
  /** kubeconfig file; default: in-cluster service account, else ~/.kube/config. */
  kubeconfigFile?: string | undefined;
  /** An already loaded configuration (Kubernetes mode shares its own); wins over the file. */
  kubeConfig?: KubeConfig;
  /** Audience the token must be bound to (the projected volume's `audience`). */
  audience: string;
  /** Successful reviews are reused this long: proxies renew leases every few seconds. */
  cacheMs?: number;
  now?: () => number;
}

// Only what we read; the API object carries more (see the TokenReview shape in the testdata).
const statusSchema = z.object({
  authenticated: z.boolean().optional(),
  user: z.object({ username: z.string().optional() }).optional(),
  audiences: z.array(z.string()).optional(),
  error: z.string().optional(),
});
const SA_USER =
  /^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;
const MAX_CACHE = 10_000;

export async function createTokenReviewer(opts: TokenReviewerOptions): Promise<TokenReviewer> {
  // Loaded only when Kubernetes mode is on: the client library costs ~100 MB of RSS.
  const k8s = await import('@kubernetes/client-node');
  let kc = opts.kubeConfig;
  if (kc === undefined) {
    kc = new k8s.KubeConfig();
    if (opts.kubeconfigFile !== undefined) kc.loadFromFile(opts.kubeconfigFile);
    else kc.loadFromDefault();
  }
  const server = kc.getCurrentCluster()?.server ?? '(no cluster in the kubeconfig)';
  const api: AuthenticationV1Api = kc.makeApiClient(k8s.AuthenticationV1Api);
  const now = opts.now ?? Date.now;
  const cacheMs = opts.cacheMs ?? 30_000;
  const cache = new Map<string, { claim: WorkloadIdentityClaim; until: number }>();

  const ask = async (token: string): Promise<unknown> => {
    try {
      const r = await api.createTokenReview({
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token, audiences: [opts.audience] },
        },
      });
      return r.status;
    } catch (err) {
      if (err instanceof k8s.ApiException) {
        const hint =
          err.code === 401 || err.code === 403
            ? ' (the control plane needs RBAC to create tokenreviews: system:auth-delegator)'
            : '';
        throw new UnavailableError(
          `cannot verify the service-account token: the Kubernetes API at ${server} answered HTTP ${err.code}${hint}`,
        );
      }
      const reason = err instanceof Error ? causeOf(err) : String(err);
      throw new UnavailableError(
        `cannot verify the service-account token: the Kubernetes API at ${server} is unreachable (${reason})`,
      );
    }
  };

  return {
    async review(token) {
      const key = createHash('sha256').update(token).digest('hex');
      const hit = cache.get(key);
      if (hit && hit.until > now()) return hit.claim;
      const parsed = statusSchema.safeParse((await ask(token)) ?? {});
      if (!parsed.success)
        throw new UnavailableError('the Kubernetes API sent a TokenReview without a usable status');
      const s = parsed.data;
      if (s.authenticated !== true) {
        throw new UnauthorizedError(
          `the Kubernetes API did not authenticate the service-account token${s.error ? `: ${s.error}` : ''}`,
        );
      }
      if (!(s.audiences ?? []).includes(opts.audience)) {
        throw new UnauthorizedError(
          `the service-account token is not for audience "${opts.audience}" (audiences: ${JSON.stringify(s.audiences ?? [])})`,
        );
      }
      const username = s.user?.username ?? '';
      const m = SA_USER.exec(username);
      if (!m)
        throw new ForbiddenError(`${JSON.stringify(username)} is not a Kubernetes service account`);
      const claim = { namespace: m[1] ?? '', serviceAccount: m[3] ?? '' };
      if (cache.size >= MAX_CACHE) cache.clear();
      cache.set(key, { claim, until: now() + cacheMs });
      return claim;
    },
  };
}

/** The socket-level reason ("ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:443"), not the wrapper's. */
function causeOf(err: Error): string {
  const cause: unknown = (err as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? cause : err;
  const code = (inner as NodeJS.ErrnoException).code ?? (err as NodeJS.ErrnoException).code;
  // node-fetch: "request to URL failed, reason: connect ECONNREFUSED ..."
  const message = inner.message.replace(/^request to \S+ failed, reason: /, '');
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}
