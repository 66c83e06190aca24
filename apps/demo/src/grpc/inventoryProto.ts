import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface ReserveRequest {
  productId: string;
  quantity: number;
}

export interface ReserveReply {
  reserved: boolean;
  remaining: number;
  pod: string;
}

export interface InventoryClient extends grpc.Client {
  Reserve(
    req: ReserveRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, reply?: ReserveReply) => void,
  ): grpc.ClientUnaryCall;
}

type InventoryCtor = (new (
  address: string,
  creds: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => InventoryClient) & { service: grpc.ServiceDefinition };

const protoFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'inventory.proto');
// camelCase field names in JS, snake_case on the wire as the .proto says.
const definition = protoLoader.loadSync(protoFile, { keepCase: false, defaults: true });
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  meshlens: { demo: { Inventory: InventoryCtor } };
};

export const Inventory = loaded.meshlens.demo.Inventory;
