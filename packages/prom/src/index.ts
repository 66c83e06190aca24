export type { Exemplar, MetricFamily, MetricType, ParseOptions, Sample } from './types';
export { ExpositionParseError } from './errors';
export { parseExposition } from './parse';
