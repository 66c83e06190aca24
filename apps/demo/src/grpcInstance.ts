import * as grpc from '@grpc/grpc-js';
import { createCaller } from './http';
import type { InstanceOptions, RunningInstance } from './instance';
import { inventoryServer } from './services/inventory';
import type { InstanceSpec } from './topology';

/** An instance whose app speaks gRPC (h2c) instead of HTTP/1.1 JSON. */
export async function startGrpcInstance(
  spec: InstanceSpec,
  o: InstanceOptions,
): Promise<RunningInstance> {
  let outbound = o.outboundUrl;
  const server = inventoryServer(spec, o.random ?? Math.random);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${o.address}:${o.port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err === null ? resolve(p) : reject(err),
    ),
  );
  return {
    spec,
    port,
    caller: createCaller(() => outbound),
    setOutbound: (url) => {
      outbound = url;
    },
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
