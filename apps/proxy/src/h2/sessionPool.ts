import type { ClientHttp2Session } from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { PeerTls } from '../attempt';
import { http2 } from './http2';

/** How a connection to the endpoint speaks HTTP/2: offered by ALPN over mTLS, or h2c to an app. */
export type H2Mode = 'alpn' | 'prior-knowledge';

export interface H2Endpoint {
  address: string;
  port: number;
  tls?: PeerTls | undefined;
}

export type Acquired =
  | { kind: 'session'; session: ClientHttp2Session }
  /** The peer did not offer h2 (an older proxy): HTTP/1.1 over the keep-alive pool. */
  | { kind: 'http1' }
  | { kind: 'error'; error: Error & { code?: string | undefined }; connected: boolean };

export interface H2PoolHooks {
  /** A new connection (TCP or mTLS) that will carry an HTTP/2 session. */
  onSocket?: (socket: net.Socket, endpoint: H2Endpoint) => void;
  onSession?: (endpoint: H2Endpoint) => void;
}

/** Peers that answered our ALPN offer with HTTP/1.1 are asked again after this long. */
const HTTP1_MEMORY_MS = 5 * 60_000;
/** A session without streams for this long is closed (the peer's keep-alive is 65 s). */
const IDLE_MS = 60_000;

/**
 * One multiplexed HTTP/2 session per endpoint (and identity): every request to that endpoint,
 * from any client connection, becomes a stream on it. A session that closes, fails or gets a
 * GOAWAY is replaced on the next request.
 */
export class H2SessionPool {
  private readonly sessions = new Map<string, ClientHttp2Session>();
  private readonly pending = new Map<string, Promise<Acquired>>();
  private readonly http1Until = new Map<string, number>();
  private closed = false;

  constructor(private readonly hooks: H2PoolHooks = {}) {}

  /** The live session for an endpoint, if any: the common case needs no promise. */
  ready(endpoint: H2Endpoint): ClientHttp2Session | undefined {
    const s = this.sessions.get(keyOf(endpoint));
    return s !== undefined && !s.closed && !s.destroyed ? s : undefined;
  }

  acquire(endpoint: H2Endpoint, mode: H2Mode): Promise<Acquired> {
    const key = keyOf(endpoint);
    const live = this.ready(endpoint);
    if (live !== undefined) return Promise.resolve({ kind: 'session', session: live });
    const until = this.http1Until.get(key);
    if (until !== undefined && until > Date.now()) return Promise.resolve({ kind: 'http1' });
    const inFlight = this.pending.get(key);
    if (inFlight !== undefined) return inFlight;
    const p = this.open(key, endpoint, mode).finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  close(): void {
    this.closed = true;
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }

  private open(key: string, endpoint: H2Endpoint, mode: H2Mode): Promise<Acquired> {
    return new Promise<Acquired>((resolve) => {
      let connected = false;
      const peer = endpoint.tls;
      const socket: net.Socket =
        mode === 'alpn' && peer !== undefined
          ? tls.connect(alpnOptions(endpoint, peer))
          : net.connect({ host: endpoint.address, port: endpoint.port, noDelay: true });
      // Multiplexed small frames must not wait for the peer's delayed ACK (Nagle).
      socket.setNoDelay(true);
      this.hooks.onSocket?.(socket, endpoint);
      const ready = peer !== undefined && mode === 'alpn' ? 'secureConnect' : 'connect';
      socket.once('connect', () => (connected = true));
      socket.once('error', (error: Error) => {
        socket.destroy();
        resolve({ kind: 'error', error, connected });
      });
      socket.once(ready, () => {
        if (this.closed) {
          socket.destroy();
          resolve({ kind: 'error', error: new Error('proxy stopping'), connected });
          return;
        }
        if (mode === 'alpn' && (socket as tls.TLSSocket).alpnProtocol !== 'h2') {
          this.http1Until.set(key, Date.now() + HTTP1_MEMORY_MS);
          socket.destroy();
          resolve({ kind: 'http1' });
          return;
        }
        socket.removeAllListeners('error');
        resolve({ kind: 'session', session: this.attach(key, endpoint, socket, mode) });
      });
    });
  }

  private attach(
    key: string,
    endpoint: H2Endpoint,
    socket: net.Socket,
    mode: H2Mode,
  ): ClientHttp2Session {
    const scheme = mode === 'alpn' ? 'https' : 'http';
    const session = http2().connect(`${scheme}://${endpoint.address}:${endpoint.port}`, {
      createConnection: () => socket,
      settings: { enablePush: false },
    });
    this.sessions.set(key, session);
    this.hooks.onSession?.(endpoint);
    const forget = () => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    };
    // Stream errors reach their requests; a session error only retires the session.
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    session.setTimeout(IDLE_MS, () => {
      forget();
      session.close();
    });
    return session;
  }
}

function keyOf(e: H2Endpoint): string {
  return e.tls === undefined
    ? `${e.address}:${e.port}`
    : `${e.address}:${e.port}|${e.tls.serverId}`;
}

function alpnOptions(e: H2Endpoint, peer: PeerTls): tls.ConnectionOptions {
  return {
    host: e.address,
    port: e.port,
    secureContext: peer.secureContext,
    // Mesh certificates name no host: node verifies the chain, the SPIFFE check the identity.
    checkServerIdentity: peer.checkServerIdentity,
    minVersion: 'TLSv1.3',
    ALPNProtocols: ['h2', 'http/1.1'],
  };
}
