import type { Socket } from 'node:net';

/** How long a captured connection may stay silent before it is treated as opaque TCP. */
export const DETECT_TIMEOUT_MS = 1000;
const MAX_HEADER_BYTES = 16 * 1024;
const METHODS = [
  'GET ',
  'HEAD ',
  'POST ',
  'PUT ',
  'DELETE ',
  'OPTIONS ',
  'PATCH ',
  'TRACE ',
  'CONNECT ',
];

export type Detected =
  | { protocol: 'http'; host: string | undefined; bytes: Buffer }
  | { protocol: 'opaque'; bytes: Buffer };

/**
 * Reads the start of a captured connection without consuming it for good: the bytes are given
 * back (`socket.unshift`) before anyone else reads. HTTP/1 is recognised by its request line and
 * its Host header read from the header block; anything else, or silence for DETECT_TIMEOUT_MS
 * (protocols where the server speaks first), is opaque.
 */
export function detectProtocol(socket: Socket, timeoutMs = DETECT_TIMEOUT_MS): Promise<Detected> {
  return new Promise((resolve) => {
    let bytes = Buffer.alloc(0);
    const done = (d: Detected) => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      if (d.bytes.length > 0) socket.unshift(d.bytes);
      resolve(d);
    };
    const decide = (final: boolean) => {
      const head = bytes.subarray(0, 8).toString('latin1');
      if (!METHODS.some((m) => head.startsWith(m))) {
        // A method cut short waits for more bytes, unless nothing more can come.
        if (!final && METHODS.some((m) => m.startsWith(head))) return;
        done({ protocol: 'opaque', bytes });
        return;
      }
      const end = bytes.indexOf('\r\n\r\n');
      if (end < 0 && !final && bytes.length < MAX_HEADER_BYTES) return;
      const header = bytes.subarray(0, end < 0 ? bytes.length : end).toString('latin1');
      const host = /\r\nhost:[ \t]*([^\r\n]*)/i.exec(header)?.[1]?.trim();
      done({ protocol: 'http', host: host === '' ? undefined : host, bytes });
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null)
        bytes = Buffer.concat([bytes, chunk]);
      decide(false);
    };
    const onEnd = () => decide(true);
    const timer = setTimeout(() => decide(true), timeoutMs);
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
  });
}
