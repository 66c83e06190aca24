import { createServer } from 'node:net';

/** Resolves true when `port` can be bound on `address` right now. */
export function portIsFree(port, address = '127.0.0.1') {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: address, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
