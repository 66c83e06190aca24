import net from 'node:net';
import type { TcpLabels } from '../metrics';
import type { TcpTracker } from '../tcpTracker';
import type { SocketAddress } from './originalDst';

/**
 * Connects a captured connection the mesh cannot identify to where the app meant it to go, as
 * plain TCP. The proxy's own connection is not captured again (its UID is excluded by
 * meshlens-init). Both sides are counted in tcp_*; `dst` labels name the service when the
 * destination is a known service address.
 */
export function passThrough(
  client: net.Socket,
  to: SocketAddress,
  tcp: TcpTracker,
  dst: Partial<TcpLabels>,
  open: Set<net.Socket>,
): void {
  const upstream = net.connect({ host: to.address, port: to.port, allowHalfOpen: true });
  tcp.track(client, { direction: 'outbound', peer: 'src', tls: 'no_identity', ...dst });
  tcp.track(upstream, { direction: 'outbound', peer: 'dst', tls: 'no_identity', ...dst });
  for (const s of [client, upstream]) {
    open.add(s);
    s.once('close', () => open.delete(s));
  }
  // A reset on either side resets the other; a clean end is passed on as a half-close by pipe.
  client.once('error', () => upstream.destroy());
  upstream.once('error', () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
}
