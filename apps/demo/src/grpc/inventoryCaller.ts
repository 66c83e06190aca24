import * as grpc from '@grpc/grpc-js';
import { HttpError } from '../http';
import { shopNamespace } from '../topology';
import { Inventory, type InventoryClient, type ReserveReply } from './inventoryProto';

export interface InventoryCaller {
  reserve(
    productId: string,
    quantity: number,
    trace: Record<string, string>,
  ): Promise<ReserveReply>;
  close(): void;
}

/**
 * Calls inventory over gRPC through the local proxy's outbound listener (h2c, one HTTP/2
 * connection): `:authority inventory.shop` names the service, the proxy balances each call.
 */
export function createInventoryCaller(outbound: () => string | undefined): InventoryCaller {
  let client: { url: string; c: InventoryClient } | undefined;
  const get = (): InventoryClient => {
    const url = outbound();
    if (url === undefined) throw new HttpError(503, 'no outbound proxy configured yet');
    if (client?.url !== url) {
      client?.c.close();
      client = {
        url,
        c: new Inventory(new URL(url).host, grpc.credentials.createInsecure(), {
          'grpc.default_authority': `inventory.${shopNamespace}`,
        }),
      };
    }
    return client.c;
  };
  return {
    reserve: (productId, quantity, trace) =>
      new Promise((resolve, reject) => {
        const metadata = new grpc.Metadata();
        for (const [k, v] of Object.entries(trace)) metadata.set(k, v);
        get().Reserve(
          { productId, quantity },
          metadata,
          { deadline: Date.now() + 2000 },
          (err, reply) => {
            if (err !== null) reject(new HttpError(503, `inventory: ${err.details}`));
            else if (reply === undefined) reject(new HttpError(502, 'inventory: no reply'));
            else resolve(reply);
          },
        );
      }),
    close: () => client?.c.close(),
  };
}
