// Bundles the injector into one ESM file (the image runs it without tsx).
import { fileURLToPath } from 'node:url';
import { bundleApp } from '../../../scripts/lib/bundleApp.mjs';

await bundleApp(fileURLToPath(new URL('..', import.meta.url)));
