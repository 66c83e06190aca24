/** Typed errors mapped to status codes in one place (app.ts). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}
export class InvalidInputError extends HttpError {
  constructor(message: string, details?: unknown[]) {
    super(400, message, details);
  }
}
export class UnauthorizedError extends HttpError {
  constructor(message = 'a workload token is required (Authorization: Bearer <token>)') {
    super(401, message);
  }
}
/** Authenticated, but this caller may not do this (e.g. ask for another identity). */
export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, message);
  }
}
/** A dependency we need to decide (the Kubernetes API) is not answering: nothing was done. */
export class UnavailableError extends HttpError {
  constructor(message: string) {
    super(503, message);
  }
}
export class NotFoundError extends HttpError {
  constructor(message = 'not found') {
    super(404, message);
  }
}
