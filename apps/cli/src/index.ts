export { createProgram, runCli } from './program';
export { CliError, exitCodes } from './io';
export type { CliIo } from './io';
export { injectManifests } from '@meshlens/inject';
export type { InjectOptions, InjectResult, InjectReport } from '@meshlens/inject';
