export type {
  Exemplar,
  MetricFamily,
  MetricType,
  ParseOptions,
  Sample,
  KnownSeries,
  SampleSink,
  VisitOptions,
} from './types';
export { ExpositionParseError } from './errors';
export { parseExposition, visitExposition } from './parse';
export { seriesTextHash } from './seriesText';
export type { Point } from './rate';
export { increase, irate, rate } from './rate';
export type { Bucket } from './histogramQuantile';
export { histogramQuantile, histogramQuantiles } from './histogramQuantile';
export { decodeExposition } from './decode';
