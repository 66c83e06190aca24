// Bundles meshlens-init into one ESM file for the image's init container (no tsx at run time).
import { fileURLToPath } from 'node:url';
import { bundleApp } from '../../../scripts/lib/bundleApp.mjs';

await bundleApp(fileURLToPath(new URL('..', import.meta.url)), { shebang: true });
