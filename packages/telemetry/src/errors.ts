/** The resource asked about does not exist (the BFF maps it to 404). */
export class NotFoundError extends Error {
  readonly status = 404;
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The backing service (e.g. Prometheus) failed or is unreachable (the BFF maps it to 503). */
export class UpstreamError extends Error {
  readonly status = 503;
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamError';
  }
}
