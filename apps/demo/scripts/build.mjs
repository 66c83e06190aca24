// Bundles the demo into one ESM file: the image, Compose and npm start run it without tsx.
import { fileURLToPath } from 'node:url';
import { bundleApp } from '../../../scripts/lib/bundleApp.mjs';

await bundleApp(fileURLToPath(new URL('..', import.meta.url)), {
  // the gRPC service definition is read at run time beside the module that loads it
  copy: [['src/grpc/inventory.proto', 'dist/inventory.proto']],
});
