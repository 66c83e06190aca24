import { readFile } from 'node:fs/promises';
import { type ProcessesResponse, supervisorStatusSchema } from '@meshlens/contract';

export type ProcessesView = () => Promise<ProcessesResponse>;

/**
 * The supervised processes of `npm start` (restarts, state), read from the status file the
 * supervisor (scripts/lib/supervisor.mjs) rewrites atomically on every change. A file is simpler
 * than an endpoint: no port to find, and it survives a restart of the BFF itself.
 */
export function createProcessesView(file: string | null, now: () => number): ProcessesView {
  return async () => {
    const base = { generatedAt: now(), supervised: file !== null };
    if (file === null) return { ...base, error: null, updatedAtMs: null, processes: [] };
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code ? `cannot read ${file} (${code})` : `${file} is not valid JSON`;
      return { ...base, error: why, updatedAtMs: null, processes: [] };
    }
    const parsed = supervisorStatusSchema.safeParse(raw);
    if (!parsed.success) {
      return {
        ...base,
        error: `${file} does not look like a supervisor status file`,
        updatedAtMs: null,
        processes: [],
      };
    }
    return { ...base, error: null, ...parsed.data };
  };
}
