import * as z from 'zod';

export const ERROR_CODES = [
  'invalid_parameter',
  'invalid_body',
  'not_found',
  'unauthorized',
  'host_not_allowed',
  'origin_not_allowed',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  /** an external backend (Jaeger, Tempo, Prometheus) failed; the message names it and how */
  'backend_error',
  'internal',
  // GET /api/v1/tap when the config turns tap off
  'tap_disabled',
] as const;
export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** Body of every non-2xx JSON response. `parameter` names the offending query parameter on 400s. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    parameter: z.string().optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
