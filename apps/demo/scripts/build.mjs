// Bundles the demo into one ESM file: the image, Compose and npm start run it without tsx.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}src/main.ts`],
  outfile: `${root}dist/main.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // prom-client and pino are CommonJS and call require() at run time.
  banner: {
    js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  },
});
// The gRPC service definition is read at run time beside the module that loads it.
mkdirSync(`${root}dist`, { recursive: true });
copyFileSync(`${root}src/grpc/inventory.proto`, `${root}dist/inventory.proto`);
