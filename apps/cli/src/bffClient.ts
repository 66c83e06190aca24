import { ApiError, type ApiClient, createApiClient } from '@meshlens/api-client';
import type { z } from 'zod';
import { CliError, exitCodes } from './io';

export interface BffTarget {
  baseUrl: string;
  authToken?: string | undefined;
}

/** The shared typed client (@meshlens/api-client) pointed at the dashboard the flags name. */
export function apiClient(target: BffTarget, timeoutMs = 10_000): ApiClient {
  return createApiClient({
    baseUrl: target.baseUrl,
    timeoutMs,
    ...(target.authToken ? { token: target.authToken } : {}),
  });
}

/** ApiError -> the CLI's error with its exit code and a hint. */
export function cliErrorFrom(target: BffTarget, path: string, err: unknown): Error {
  if (!(err instanceof ApiError)) return err instanceof Error ? err : new Error(String(err));
  if (err.status === 0 && err.code === 'unavailable') {
    return new CliError(
      `cannot reach the meshlens dashboard at ${target.baseUrl}: ${err.detail ?? err.message}\n` +
        'Start it with `meshlens dashboard` (or `npm start`), or point --bff-url at it.',
      exitCodes.unreachable,
    );
  }
  if (err.status === 0) return new CliError(`${path}: ${err.message}`, exitCodes.unreachable);
  return new CliError(`${path} answered ${err.status}: ${err.message}`);
}

/** GETs a BFF API path and parses the answer with the contract's schema. */
export async function getJson<S extends z.ZodType>(
  target: BffTarget,
  path: string,
  params: URLSearchParams,
  schema: S,
): Promise<z.output<S>> {
  try {
    return await apiClient(target).get(path, Object.fromEntries(params), schema);
  } catch (err) {
    throw cliErrorFrom(target, path, err);
  }
}
