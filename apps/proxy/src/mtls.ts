import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls, { type SecureContext } from 'node:tls';
// the narrow entry points keep the control-plane client and config schemas out of the start-up chunk
import { formatSpiffeId } from '@meshlens/mesh-config/spiffe';
import { spiffeServerIdentityCheck } from '@meshlens/cp-client/peer-identity';
import type { IdentityMaterial, WorkloadIdentity } from '@meshlens/cp-client';
import type { PeerTls } from './attempt';
import type { EndpointState } from './balancer/endpointState';

const TLS_HANDSHAKE = 0x16;

/** The workload's mTLS material, rebuilt on every certificate rotation. */
export class MeshTls {
  private clientContext: SecureContext;
  private readonly peers = new Map<string, PeerTls>();
  /** per endpoint description (replaced when discovery changes it): no SPIFFE id built per request */
  private byInfo = new WeakMap<EndpointState['info'], PeerTls | undefined>();
  private readonly servers = new Set<tls.Server>();
  private readonly unsubscribe: () => void;
  readonly localId: string;

  constructor(
    private readonly identity: Pick<WorkloadIdentity, 'current' | 'onRotate' | 'spiffeId'>,
    readonly mode: 'permissive' | 'strict',
    readonly trustDomain: string,
    private readonly logger: { info(o: object, m: string): void; warn(o: object, m: string): void },
  ) {
    this.localId = identity.spiffeId;
    this.clientContext = tls.createSecureContext(contextOptions(identity.current()));
    this.unsubscribe = identity.onRotate((m) => this.rotate(m));
  }

  /**
   * New connections use the new certificate; established ones keep going (no drop):
   * servers get setSecureContext, the client side a new context for the next handshakes.
   */
  rotate(m: IdentityMaterial): void {
    this.clientContext = tls.createSecureContext(contextOptions(m));
    this.peers.clear();
    this.byInfo = new WeakMap();
    for (const s of this.servers) s.setSecureContext(contextOptions(m));
    this.logger.info(
      { spiffeId: m.spiffeId, notAfter: m.notAfter.toISOString() },
      'mTLS certificate rotated',
    );
  }

  /** mTLS settings to reach an endpoint, or undefined when it has no mesh identity. */
  forEndpoint(state: EndpointState): PeerTls | undefined {
    const info = state.info;
    if (this.byInfo.has(info)) return this.byInfo.get(info);
    const peer = this.peerOf(info);
    this.byInfo.set(info, peer);
    return peer;
  }

  private peerOf(info: EndpointState['info']): PeerTls | undefined {
    const sa = info.serviceAccount;
    if (sa === undefined) return undefined;
    const serverId = formatSpiffeId(this.trustDomain, info.namespace, sa);
    let peer = this.peers.get(serverId);
    if (peer === undefined) {
      peer = {
        secureContext: this.clientContext,
        serverId,
        checkServerIdentity: spiffeServerIdentityCheck({
          trustDomain: this.trustDomain,
          expected: serverId,
        }),
      };
      this.peers.set(serverId, peer);
    }
    return peer;
  }

  /**
   * The inbound listener: TLS (client certificate required) is told from plaintext by the
   * first byte. Plaintext is passed on in permissive mode and refused in strict mode.
   */
  inboundListener(
    httpServer: http.Server,
    onSocket: (s: net.Socket, tls: boolean) => void,
    h2?: { accept(socket: net.Socket): void },
    mode: 'permissive' | 'strict' = this.mode,
  ): net.Server {
    const tlsServer = tls.createServer({
      ...contextOptions(this.identity.current()),
      requestCert: true,
      rejectUnauthorized: true,
      // Peer proxies offer h2 and multiplex on one connection; older ones and other clients
      // offer http/1.1 or nothing.
      ...(h2 === undefined ? {} : { ALPNProtocols: ['h2', 'http/1.1'] }),
    });
    this.servers.add(tlsServer);
    tlsServer.on('secureConnection', (s: tls.TLSSocket) => {
      if (s.alpnProtocol === 'h2' && h2 !== undefined) h2.accept(s);
      else httpServer.emit('connection', s);
    });
    tlsServer.on('tlsClientError', (err) =>
      this.logger.warn({ err: err.message }, 'inbound TLS handshake failed'),
    );
    return net.createServer({ noDelay: true }, (socket) => {
      socket.once('error', () => socket.destroy());
      socket.once('readable', () => {
        const first = socket.read(1) as Buffer | null;
        if (first === null) return;
        socket.unshift(first);
        const isTls = first[0] === TLS_HANDSHAKE;
        onSocket(socket, isTls);
        if (isTls) tlsServer.emit('connection', socket);
        else if (mode === 'permissive') httpServer.emit('connection', socket);
        else refusePlaintext(socket);
      });
    });
  }

  /** Keep-alive pool for mTLS upstream connections. */
  static agent(): https.Agent {
    return new https.Agent({
      keepAlive: true,
      maxSockets: Infinity,
      maxFreeSockets: 256,
      scheduling: 'lifo',
    });
  }

  close(): void {
    this.unsubscribe();
    for (const s of this.servers) s.close();
  }
}

function contextOptions(m: IdentityMaterial): tls.SecureContextOptions {
  return { key: m.keyPem, cert: m.certPem, ca: m.caPem, minVersion: 'TLSv1.3' };
}

function refusePlaintext(socket: net.Socket): void {
  const body = 'meshlens proxy: tls-required (strict mTLS)\n';
  socket.end(
    `HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n` +
      `x-meshlens-proxy-error: tls-required\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}
