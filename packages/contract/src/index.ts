export * from './common';
export * from './errors';
export * from './metrics';
export * from './traces';
export * from './controlPlane';
export * from './query';
export * from './ingest';
export * from './tap';
