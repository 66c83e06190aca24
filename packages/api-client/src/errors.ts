import { errorResponseSchema } from '@meshlens/contract';

/** Every failure of the client: HTTP errors (with the BFF's code), unreachable (0), bad shapes. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly parameter: string | undefined;
  /** the low-level cause (e.g. `connect ECONNREFUSED 127.0.0.1:1`), for terminals */
  detail: string | undefined;
  constructor(message: string, status: number, code?: string, parameter?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.parameter = parameter;
  }
}

export async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const parsed = errorResponseSchema.safeParse(body);
  if (parsed.success) {
    const e = parsed.data.error;
    return new ApiError(e.message, res.status, e.code, e.parameter);
  }
  return new ApiError(`HTTP ${res.status} ${res.statusText}`.trim(), res.status);
}

export function isAbort(err: unknown): boolean {
  return (
    (err instanceof DOMException || err instanceof Error) &&
    (err.name === 'AbortError' || err.name === 'TimeoutError')
  );
}
