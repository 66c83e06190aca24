import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import * as x509 from '@peculiar/x509';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A Kubernetes API server for tests: HTTPS, bearer-token auth, and the list/watch protocol as
 * the real one speaks it (JSON lists with a resourceVersion, `watch=true` streams of
 * ADDED/MODIFIED/DELETED events resumed from a resourceVersion, BOOKMARK events when asked,
 * `410 Gone` for a compacted resourceVersion), plus get/create/replace/status/delete with
 * optimistic concurrency (409 on a stale resourceVersion). Only a fake because no cluster can
 * run here; the client talking to it is the real `@kubernetes/client-node`.
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  spec?: unknown;
  status?: unknown;
  [k: string]: unknown;
}

interface Resource {
  /** `/api/v1` or `/apis/group/version` */
  prefix: string;
  plural: string;
  kind: string;
  apiVersion: string;
}

const RESOURCES: Resource[] = [
  { prefix: '/api/v1', plural: 'services', kind: 'Service', apiVersion: 'v1' },
  { prefix: '/api/v1', plural: 'pods', kind: 'Pod', apiVersion: 'v1' },
  { prefix: '/api/v1', plural: 'secrets', kind: 'Secret', apiVersion: 'v1' },
  {
    prefix: '/apis/discovery.k8s.io/v1',
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
  },
  {
    prefix: '/apis/coordination.k8s.io/v1',
    plural: 'leases',
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
  },
  {
    prefix: '/apis/gateway.networking.k8s.io/v1',
    plural: 'httproutes',
    kind: 'HTTPRoute',
    apiVersion: 'gateway.networking.k8s.io/v1',
  },
  ...['AuthorizationPolicy', 'FaultPolicy', 'MeshPolicy'].map((kind) => ({
    prefix: '/apis/meshlens.io/v1alpha1',
    plural: `${kind.toLowerCase().replace(/y$/, 'ie')}s`,
    kind,
    apiVersion: 'meshlens.io/v1alpha1',
  })),
];

interface WatchEvent {
  rv: number;
  plural: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

interface Watcher {
  plural: string;
  namespace: string | undefined;
  res: ServerResponse;
  bookmarks: boolean;
}

export interface FakeApiServer {
  url: string;
  kubeConfig(): KubeConfig;
  /** Creates or replaces an object as `kubectl apply` would (bumps generation on spec change). */
  apply(plural: string, obj: KubeObject): KubeObject;
  remove(plural: string, namespace: string, name: string): void;
  get(plural: string, namespace: string, name: string): KubeObject | undefined;
  list(plural: string): KubeObject[];
  /** Ends every open watch stream abruptly (a dropped connection). */
  dropWatches(): void;
  /** Ends every open watch stream cleanly, as the API server does when a watch times out. */
  endWatches(): void;
  /** Forgets history: watches resuming from an older resourceVersion get 410 Gone. */
  compact(): void;
  /** Sends a BOOKMARK on every watch that asked for them. */
  bookmark(): void;
  /** TokenReview: `token` authenticates as `username` for these audiences. */
  acceptToken(token: string, username: string, audiences: string[]): void;
  /** Every TokenReview request body received, in order. */
  tokenReviews: unknown[];
  /** Writes a kubeconfig for this server (its CA, the caller's token) into `dir`; returns its path. */
  writeKubeconfig(dir: string): string;
  /** Refuses every request with 503 while true (the API server is down). */
  setDown(down: boolean): void;
  /** Requests seen, as `METHOD path?query`. */
  requests: string[];
  close(): Promise<void>;
}

const TOKEN = 'fake-api-server-token';

/**
 * A TokenReview's status as the API server decides it: authenticated only if the token is bound
 * to at least one requested audience, and `status.audiences` is the intersection.
 */
function reviewStatus(known: ReviewedToken | undefined, wanted: string[]): Record<string, unknown> {
  const audiences = known ? known.audiences.filter((a) => wanted.includes(a)) : [];
  if (!known || audiences.length === 0) {
    const error = known ? 'token audiences are invalid' : 'invalid bearer token';
    return { authenticated: false, error, user: {} };
  }
  return {
    authenticated: true,
    user: {
      username: known.username,
      uid: 'b0e1c2d3-0000-4000-8000-000000000001',
      groups: ['system:serviceaccounts', 'system:authenticated'],
    },
    audiences,
  };
}

export interface ReviewedToken {
  username: string;
  audiences: string[];
}

export async function startFakeApiServer(
  opts: {
    /** the envelope of a TokenReview answer (Kubernetes' own object from the testdata) */
    tokenReviewShape?: Record<string, unknown>;
  } = {},
): Promise<FakeApiServer> {
  const { certPem, keyPem } = await selfSigned();
  const store = new Map<string, Map<string, KubeObject>>();
  for (const r of RESOURCES) store.set(r.plural, new Map());
  const log: WatchEvent[] = [];
  let rv = 100;
  let compactedAt = 0;
  let down = false;
  const watchers = new Set<Watcher>();
  const requests: string[] = [];
  const reviews = new Map<string, ReviewedToken>();
  const tokenReviews: unknown[] = [];

  const key = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;
  const record = (plural: string, type: WatchEvent['type'], obj: KubeObject) => {
    const ev: WatchEvent = { rv: Number(obj.metadata.resourceVersion), plural, type, object: obj };
    log.push(ev);
    for (const w of watchers) {
      if (
        w.plural === plural &&
        (w.namespace === undefined || w.namespace === obj.metadata.namespace)
      )
        send(w.res, ev.type, ev.object);
    }
  };
  const send = (res: ServerResponse, type: string, object: unknown) => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const write = (plural: string, obj: KubeObject, type: WatchEvent['type']): KubeObject => {
    const res = RESOURCES.find((r) => r.plural === plural) as Resource;
    const stored: KubeObject = structuredClone({
      ...obj,
      apiVersion: res.apiVersion,
      kind: res.kind,
      metadata: { ...obj.metadata, resourceVersion: String(++rv) },
    });
    const m = store.get(plural) as Map<string, KubeObject>;
    if (type === 'DELETED') m.delete(key(obj.metadata.namespace, obj.metadata.name));
    else m.set(key(obj.metadata.namespace, obj.metadata.name), stored);
    record(plural, type, stored);
    return stored;
  };

  const server = https.createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const statusErr = (code: number, reason: string, message: string) =>
      json(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
    if (down) return statusErr(503, 'ServiceUnavailable', 'the API server is down');
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return statusErr(401, 'Unauthorized', 'Unauthorized');
    if (req.method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const review = JSON.parse(body) as { spec: { token: string; audiences?: string[] } };
        tokenReviews.push(review);
        json(201, {
          ...(opts.tokenReviewShape ?? {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenReview',
          }),
          metadata: { creationTimestamp: null },
          spec: review.spec,
          status: reviewStatus(reviews.get(review.spec.token), review.spec.audiences ?? []),
        });
      });
      return;
    }
    const route = parsePath(url.pathname);
    if (route === undefined) return statusErr(404, 'NotFound', `no route ${url.pathname}`);
    const { resource, namespace, name, sub } = route;
    const m = store.get(resource.plural) as Map<string, KubeObject>;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'GET' && name === undefined) {
        const items = [...m.values()].filter(
          (o) => namespace === undefined || o.metadata.namespace === namespace,
        );
        if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
          const from = Number(url.searchParams.get('resourceVersion') ?? '0');
          res.writeHead(200, { 'content-type': 'application/json' });
          res.flushHeaders();
          if (from !== 0 && from < compactedAt) {
            send(res, 'ERROR', {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              reason: 'Expired',
              message: `too old resource version: ${from} (${compactedAt})`,
              code: 410,
            });
            res.end();
            return;
          }
          const w: Watcher = {
            plural: resource.plural,
            namespace,
            res,
            bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
          };
          for (const ev of log) {
            if (ev.plural === resource.plural && ev.rv > from) send(res, ev.type, ev.object);
          }
          watchers.add(w);
          res.on('close', () => watchers.delete(w));
          return;
        }
        return json(200, {
          apiVersion: resource.apiVersion,
          kind: `${resource.kind}List`,
          metadata: { resourceVersion: String(rv) },
          items,
        });
      }
      if (name === undefined) {
        if (req.method !== 'POST') return statusErr(405, 'MethodNotAllowed', req.method ?? '');
        const obj = JSON.parse(body) as KubeObject;
        if (namespace !== undefined) obj.metadata.namespace ??= namespace;
        if (m.has(key(obj.metadata.namespace, obj.metadata.name)))
          return statusErr(
            409,
            'AlreadyExists',
            `${resource.plural} "${obj.metadata.name}" already exists`,
          );
        return json(
          201,
          write(resource.plural, { ...obj, metadata: { ...obj.metadata, generation: 1 } }, 'ADDED'),
        );
      }
      const current = m.get(key(namespace, name));
      if (req.method === 'GET') {
        return current
          ? json(200, current)
          : statusErr(404, 'NotFound', `${resource.plural} "${name}" not found`);
      }
      if (req.method === 'DELETE') {
        if (!current) return statusErr(404, 'NotFound', `${resource.plural} "${name}" not found`);
        write(resource.plural, current, 'DELETED');
        return json(200, current);
      }
      if (req.method === 'PUT') {
        if (!current) return statusErr(404, 'NotFound', `${resource.plural} "${name}" not found`);
        const obj = JSON.parse(body) as KubeObject;
        if (obj.metadata.resourceVersion !== current.metadata.resourceVersion)
          return statusErr(409, 'Conflict', 'the object has been modified');
        const next: KubeObject =
          sub === 'status'
            ? { ...current, status: obj.status }
            : {
                ...obj,
                status: current.status,
                metadata: {
                  ...obj.metadata,
                  generation:
                    (current.metadata.generation ?? 1) +
                    (JSON.stringify(obj.spec) === JSON.stringify(current.spec) ? 0 : 1),
                },
              };
        return json(200, write(resource.plural, next, 'MODIFIED'));
      }
      return statusErr(405, 'MethodNotAllowed', req.method ?? '');
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dropWatches = () => {
    for (const w of watchers) w.res.destroy();
    watchers.clear();
  };
  const endWatches = () => {
    for (const w of watchers) w.res.end();
    watchers.clear();
  };
  return {
    url,
    requests,
    tokenReviews,
    endWatches,
    writeKubeconfig(dir) {
      const file = path.join(dir, 'kubeconfig');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '  - name: fake',
          '    cluster:',
          `      server: ${url}`,
          `      certificate-authority-data: ${Buffer.from(certPem).toString('base64')}`,
          'users:',
          '  - name: cp',
          `    user: { token: ${TOKEN} }`,
          'contexts:',
          '  - name: fake',
          '    context: { cluster: fake, user: cp }',
          'current-context: fake',
          '',
        ].join('\n'),
      );
      return file;
    },
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: url, caData: Buffer.from(certPem).toString('base64') }],
        users: [{ name: 'cp', token: TOKEN }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'cp' }],
        currentContext: 'fake',
      });
      return kc;
    },
    apply(plural, obj) {
      const m = store.get(plural);
      if (!m) throw new Error(`fake API server: unknown resource ${plural}`);
      const current = m.get(key(obj.metadata.namespace, obj.metadata.name));
      if (!current)
        return write(plural, { ...obj, metadata: { ...obj.metadata, generation: 1 } }, 'ADDED');
      const changed = JSON.stringify(obj.spec) !== JSON.stringify(current.spec);
      return write(
        plural,
        {
          ...current,
          ...obj,
          status: current.status,
          metadata: {
            ...current.metadata,
            ...obj.metadata,
            generation: (current.metadata.generation ?? 1) + (changed ? 1 : 0),
          },
        },
        'MODIFIED',
      );
    },
    remove(plural, namespace, name) {
      const current = store.get(plural)?.get(key(namespace, name));
      if (current) write(plural, current, 'DELETED');
    },
    get: (plural, namespace, name) => store.get(plural)?.get(key(namespace, name)),
    list: (plural) => [...(store.get(plural)?.values() ?? [])],
    dropWatches,
    compact() {
      compactedAt = rv + 1;
      log.length = 0;
    },
    bookmark() {
      for (const w of watchers) {
        if (!w.bookmarks) continue;
        const r = RESOURCES.find((x) => x.plural === w.plural) as Resource;
        send(w.res, 'BOOKMARK', {
          kind: r.kind,
          apiVersion: r.apiVersion,
          metadata: { resourceVersion: String(rv) },
        });
      }
    },
    acceptToken(token, username, audiences) {
      reviews.set(token, { username, audiences });
    },
    setDown(v) {
      down = v;
      if (v) dropWatches();
    },
    async close() {
      for (const w of watchers) w.res.destroy();
      const closed = new Promise<void>((r) => server.close(() => r()));
      // closeAllConnections knows only connections with an HTTP exchange; one still in its TLS
      // handshake (a client retrying as the test ends, on a loaded machine) would hold close()
      // for the 120 s handshake timeout
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

function parsePath(
  p: string,
): { resource: Resource; namespace?: string; name?: string; sub?: string } | undefined {
  for (const r of RESOURCES) {
    if (!p.startsWith(`${r.prefix}/`)) continue;
    const rest = p.slice(r.prefix.length + 1).split('/');
    if (rest[0] === r.plural && rest.length === 1) return { resource: r };
    if (rest[0] === 'namespaces' && rest[2] === r.plural) {
      const out: { resource: Resource; namespace?: string; name?: string; sub?: string } = {
        resource: r,
      };
      if (rest[1] !== undefined) out.namespace = rest[1];
      if (rest[3] !== undefined) out.name = rest[3];
      if (rest[4] !== undefined) out.sub = rest[4];
      return out;
    }
  }
  return undefined;
}

async function selfSigned(): Promise<{ certPem: string; keyPem: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=fake-kube-apiserver',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}
