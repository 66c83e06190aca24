import net from 'node:net';
import { serviceKeyFromAuthority } from '../discovery/discoverySource';
import type { Destinations } from '../destinations';
import type { TcpLabels } from '../metrics';
import type { TcpTracker } from '../tcpTracker';
import { detectProtocol } from './detect';
import type { OriginalDstReader } from './originalDst';
import { passThrough } from './passthrough';

export interface CaptureDeps {
  /** Hands an HTTP connection to the outbound listener (which tells HTTP/1.1 from h2c). */
  accept: (socket: net.Socket) => void;
  readOriginalDst: OriginalDstReader;
  destinations: Destinations;
  tcp: TcpTracker;
  logger: { info(o: object, m: string): void; warn(o: object, m: string): void };
  detectTimeoutMs?: number;
}

export interface CaptureListener {
  server: net.Server;
  /** The service a captured connection's address belongs to (the outbound handler's first choice). */
  serviceOf(socket: net.Socket): string | undefined;
  /** Ends passthrough connections (on stop). */
  destroyAll(): void;
}

/**
 * The outbound listener when meshlens-init redirects the app's TCP to it. For each connection
 * it reads the original destination (SO_ORIGINAL_DST): a connection that was not redirected
 * (the app called the outbound port itself) is HTTP as before; otherwise HTTP to a service's
 * address, or with a Host that names a known service, goes through the mesh; everything else
 * passes through as plain TCP to where the app dialled.
 */
export function createCaptureListener(deps: CaptureDeps): CaptureListener {
  const byService = new WeakMap<net.Socket, string>();
  const open = new Set<net.Socket>();
  const toHttp = (socket: net.Socket, service: string | undefined) => {
    if (service !== undefined) byService.set(socket, service);
    deps.accept(socket);
  };
  const handle = async (socket: net.Socket) => {
    const dst = deps.readOriginalDst(socket);
    if (dst === undefined) {
      toHttp(socket, undefined);
      return;
    }
    const service = deps.destinations.serviceAt(dst.address, dst.port);
    const detected = await detectProtocol(socket, deps.detectTimeoutMs);
    if (socket.destroyed) return;
    if (detected.protocol === 'http') {
      if (service !== undefined) return toHttp(socket, service);
      const key = detected.host === undefined ? undefined : serviceKeyFromAuthority(detected.host);
      if (key !== undefined && (await deps.destinations.resolve(key)) !== undefined) {
        return toHttp(socket, undefined);
      }
    }
    deps.logger.info(
      { dst: `${dst.address}:${dst.port}`, protocol: detected.protocol, service: service ?? null },
      'captured connection passed through as TCP',
    );
    passThrough(socket, dst, deps.tcp, dstLabels(service), open);
  };
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.once('error', () => socket.destroy());
    handle(socket).catch((err: unknown) => {
      deps.logger.warn({ err: (err as Error).message }, 'captured connection failed');
      socket.destroy();
    });
  });
  return {
    server,
    serviceOf: (socket) => byService.get(socket),
    destroyAll: () => {
      for (const s of open) s.destroy();
    },
  };
}

function dstLabels(service: string | undefined): Partial<TcpLabels> {
  if (service === undefined) return {};
  const dot = service.indexOf('.');
  return { dst_service: service.slice(0, dot), dst_namespace: service.slice(dot + 1) };
}
