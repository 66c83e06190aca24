import type { ErrorCode, ErrorResponse } from '@meshlens/contract';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/** An error that maps to an HTTP status; its message is safe to show to the client. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly parameter: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    opts: { parameter?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.parameter = opts.parameter;
    this.headers = opts.headers ?? {};
  }
}

export class InvalidInputError extends HttpError {
  constructor(message: string, parameter?: string) {
    super(400, 'invalid_parameter', message, parameter ? { parameter } : {});
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

/** The telemetry source (or another dependency) cannot answer right now. */
export class UnavailableError extends HttpError {
  constructor(message: string) {
    super(503, 'unavailable', message);
  }
}

export function sendError(res: Response, err: HttpError): void {
  const body: ErrorResponse = { error: { code: err.code, message: err.message } };
  if (err.parameter) body.error.parameter = err.parameter;
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json(body);
}

/** body-parser marks its errors with `type` and `status`; map them to our codes. */
function fromBodyParser(err: unknown): HttpError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  switch (err.type) {
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', 'request body is larger than the limit');
    case 'entity.parse.failed':
      return new HttpError(400, 'invalid_body', 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(
        415,
        'unsupported_media_type',
        'unsupported content encoding or charset',
      );
    case 'request.aborted':
      return new HttpError(400, 'invalid_body', 'request aborted');
    default:
      return undefined;
  }
}

/** An error this module knows how to answer (ours or body-parser's), else undefined. */
export function toHttpError(err: unknown): HttpError | undefined {
  return err instanceof HttpError ? err : fromBodyParser(err);
}

/** The one place errors become responses: client errors say what's wrong, 5xx never leak internals. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const known = toHttpError(err);
    if (known) {
      if (known.status >= 500) logger.warn({ err, path: req.path }, 'request failed');
      if (!res.headersSent) sendError(res, known);
      return;
    }
    logger.error({ err, path: req.path }, 'unexpected error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, new HttpError(500, 'internal', 'internal error'));
  };
}
