import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InventoryCaller } from '../grpc/inventoryCaller';
import type { Caller } from '../http';
import type { InstanceSpec } from '../topology';

export interface ServiceContext {
  instance: InstanceSpec;
  caller: Caller;
  /** gRPC calls to inventory, through the same outbound listener. */
  inventory: InventoryCaller;
  /** injectable for tests */
  random: () => number;
}

export interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** path segments, e.g. ['products', '3'] */
  segments: string[];
}

/** Returns true when it answered; false means "not mine" (404). */
export type Handler = (r: Request) => Promise<boolean>;
