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
  constructor(message = 'a valid bootstrap token is required') {
    super(401, message);
  }
}
export class NotFoundError extends HttpError {
  constructor(message = 'not found') {
    super(404, message);
  }
}
