import type { z } from 'zod';
import { CliError, exitCodes } from './io';

export interface BffTarget {
  baseUrl: string;
  authToken?: string | undefined;
}

function describeCause(err: unknown): string {
  if (err instanceof Error) {
    const cause: unknown = err.cause;
    if (cause instanceof Error) return cause.message;
    return err.message;
  }
  return String(err);
}

/** GETs a BFF API path and parses the answer with the contract's schema. */
export async function getJson<S extends z.ZodType>(
  target: BffTarget,
  path: string,
  params: URLSearchParams,
  schema: S,
): Promise<z.output<S>> {
  const url = new URL(
    path.replace(/^\//, ''),
    target.baseUrl.endsWith('/') ? target.baseUrl : `${target.baseUrl}/`,
  );
  url.search = params.toString();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.authToken) headers.authorization = `Bearer ${target.authToken}`;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new CliError(
      `cannot reach the meshlens dashboard at ${target.baseUrl}: ${describeCause(err)}\n` +
        'Start it with `meshlens dashboard` (or `npm start`), or point --bff-url at it.',
      exitCodes.unreachable,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    throw new CliError(`${url.pathname} answered ${res.status}: ${text.slice(0, 300)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError(`${url.pathname} did not answer JSON`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(
      `${url.pathname} answered an unexpected shape (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`,
    );
  }
  return parsed.data;
}
