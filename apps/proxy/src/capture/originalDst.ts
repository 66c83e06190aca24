import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface SocketAddress {
  address: string;
  port: number;
}

/** Reads the address a redirected connection was dialled to; undefined when it was not redirected. */
export type OriginalDstReader = (socket: Socket) => SocketAddress | undefined;

const SOL_IP = 0;
const SO_ORIGINAL_DST = 80; // linux/netfilter_ipv4.h
const AF_INET = 2;
const SOCKADDR_IN_SIZE = 16;

interface GetSockOpt {
  (fd: number, level: number, name: number, value: Buffer, length: Buffer): number;
}

interface Koffi {
  load(lib: string): { func(prototype: string): GetSockOpt };
}

/**
 * SO_ORIGINAL_DST through libc's getsockopt, called with koffi (a maintained FFI module that
 * ships prebuilt binaries): Node has no getsockopt of its own. See docs/adr/0011. Linux only;
 * anywhere else this throws and the proxy runs without capture.
 */
export function createOriginalDstReader(): OriginalDstReader {
  if (process.platform !== 'linux') {
    throw new Error(
      `transparent capture needs Linux (SO_ORIGINAL_DST); this is ${process.platform}`,
    );
  }
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as Koffi;
  const getsockopt = koffi
    .load('libc.so.6')
    .func('int getsockopt(int fd, int level, int name, void *value, void *length)');
  const value = Buffer.alloc(SOCKADDR_IN_SIZE);
  const length = Buffer.alloc(4);
  return (socket) => {
    const fd = socketFd(socket);
    if (fd === undefined) return undefined;
    length.writeUInt32LE(SOCKADDR_IN_SIZE);
    // Fails (ENOENT) for connections that no NAT rule touched: they were dialled to us.
    if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, value, length) !== 0) return undefined;
    if (value.readUInt16LE(0) !== AF_INET) return undefined;
    return {
      address: `${value[4]}.${value[5]}.${value[6]}.${value[7]}`,
      port: value.readUInt16BE(2),
    };
  };
}

/** The file descriptor behind a TCP socket (libuv exposes it on POSIX). */
function socketFd(socket: Socket): number | undefined {
  const handle: unknown = (socket as unknown as { _handle?: unknown })._handle;
  if (typeof handle !== 'object' || handle === null || !('fd' in handle)) return undefined;
  const fd = handle.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
