// Bundles the control plane into one ESM file: the image, Compose and npm start run it without tsx.
import { fileURLToPath } from 'node:url';
import { bundleApp } from '../../../scripts/lib/bundleApp.mjs';

await bundleApp(fileURLToPath(new URL('..', import.meta.url)));
