import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { proxyDir } from './helpers';

/** Shape of the Echo messages (test/__fixtures__/echo.proto). */
export interface SayReply {
  message: string;
  server: string;
}

interface EchoClient extends grpc.Client {
  Say(
    req: { name: string },
    cb: (err: grpc.ServiceError | null, reply?: SayReply) => void,
  ): grpc.ClientUnaryCall;
  Count(req: { n: number }): grpc.ClientReadableStream<SayReply>;
}

type EchoClientCtor = new (
  address: string,
  creds: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => EchoClient;

const definition = protoLoader.loadSync(path.join(proxyDir, 'test/__fixtures__/echo.proto'));
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  meshlens: { test: { Echo: EchoClientCtor & { service: grpc.ServiceDefinition } } };
};
const Echo = loaded.meshlens.test.Echo;

export interface EchoServer {
  port: number;
  /** Calls this server answered. */
  calls: number;
  close(): Promise<void>;
}

/**
 * A real gRPC server (h2c). `Say` answers `hello <name> from <id>`; a name starting with
 * "unavailable" fails with UNAVAILABLE (14). `Count` streams n replies.
 */
export async function startEchoServer(id: string): Promise<EchoServer> {
  const server = new grpc.Server();
  const state: EchoServer = {
    port: 0,
    calls: 0,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
  server.addService(Echo.service, {
    Say: (
      call: grpc.ServerUnaryCall<{ name: string }, SayReply>,
      cb: grpc.sendUnaryData<SayReply>,
    ) => {
      state.calls++;
      if (call.request.name.startsWith('unavailable')) {
        cb({ code: grpc.status.UNAVAILABLE, details: 'not today' });
        return;
      }
      cb(null, { message: `hello ${call.request.name}`, server: id });
    },
    Count: (call: grpc.ServerWritableStream<{ n: number }, SayReply>) => {
      state.calls++;
      for (let i = 1; i <= call.request.n; i++) call.write({ message: `#${i}`, server: id });
      call.end();
    },
  });
  state.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err === null ? resolve(port) : reject(err),
    ),
  );
  return state;
}

/** A gRPC client on one channel (one HTTP/2 connection) to a proxy's outbound listener. */
export function echoClient(outboundPort: number, authority = 'echo.shop'): EchoClient {
  return new Echo(`127.0.0.1:${outboundPort}`, grpc.credentials.createInsecure(), {
    'grpc.default_authority': authority,
  });
}

export function say(client: EchoClient, name: string): Promise<SayReply> {
  return new Promise((resolve, reject) =>
    client.Say({ name }, (err, reply) => {
      if (err !== null) reject(err);
      else if (reply === undefined) reject(new Error('no reply'));
      else resolve(reply);
    }),
  );
}

export function count(client: EchoClient, n: number): Promise<SayReply[]> {
  return new Promise((resolve, reject) => {
    const got: SayReply[] = [];
    const stream = client.Count({ n });
    stream.on('data', (r: SayReply) => got.push(r));
    stream.on('error', reject);
    stream.on('end', () => resolve(got));
  });
}
