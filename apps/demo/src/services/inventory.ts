import * as grpc from '@grpc/grpc-js';
import { Inventory, type ReserveReply, type ReserveRequest } from '../grpc/inventoryProto';
import type { InstanceSpec } from '../topology';

/**
 * inventory (gRPC): reserves stock for checkout. Stock refills, so the shop never runs dry;
 * ~2% of calls fail with UNAVAILABLE so the dashboard has gRPC failures to show.
 */
export function inventoryServer(instance: InstanceSpec, random: () => number): grpc.Server {
  const stock = new Map<string, number>();
  const server = new grpc.Server();
  server.addService(Inventory.service, {
    Reserve: (
      call: grpc.ServerUnaryCall<ReserveRequest, ReserveReply>,
      cb: grpc.sendUnaryData<ReserveReply>,
    ) => {
      const { productId, quantity } = call.request;
      if (productId === '' || quantity < 1) {
        cb({ code: grpc.status.INVALID_ARGUMENT, details: 'productId and quantity >= 1 needed' });
        return;
      }
      if (random() < 0.02) {
        cb({ code: grpc.status.UNAVAILABLE, details: 'stock ledger busy, try again' });
        return;
      }
      const left = stock.get(productId) ?? 100;
      const remaining = left >= quantity ? left - quantity : 100;
      stock.set(productId, remaining);
      cb(null, { reserved: true, remaining, pod: instance.pod });
    },
  });
  return server;
}
