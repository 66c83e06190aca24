// Everything runtime.ts offers (what applying a compiled config needs), plus the YAML input side.
export * from './runtime';
export type { ConfigError, ParseResult } from './types';
export { parseDuration } from './duration';
export { parseMeshConfig, type SourceDocument } from './parse';
export {
  parseMeshConfigPerObject,
  type ObjectVerdict as ConfigObjectVerdict,
  type PerObjectResult,
} from './perObject';
export {
  loadMeshConfigDir,
  parseMeshConfigText,
  parseYamlDocuments,
  formatConfigError,
} from './load';
