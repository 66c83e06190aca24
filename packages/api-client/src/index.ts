export {
  buildQueryString,
  createApiClient,
  type ApiClient,
  type ApiClientOptions,
  type QueryParams,
} from './client';
export { ApiError } from './errors';
export { readSse, type SseFrame } from './sse';
export type { TapHandlers } from './tap';
export { TopTable, type TopRow } from './top';
