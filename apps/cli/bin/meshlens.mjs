#!/usr/bin/env node
// The CLI is TypeScript run from source (as every workspace here): register tsx's ESM loader,
// then hand over to the real entry point.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
