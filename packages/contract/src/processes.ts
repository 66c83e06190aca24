import * as z from 'zod';
import { generatedAtSchema } from './common';

/**
 * Processes of a supervised local stack (`npm start`): how often each was restarted. The
 * supervisor writes this shape to a status file; the BFF reads it for the Mesh health page.
 */
export const supervisedProcessSchema = z.object({
  name: z.string(),
  state: z.enum(['starting', 'running', 'backoff', 'stopped']),
  pid: z.number().int().nullable(),
  restarts: z.number().int().nonnegative(),
  /** when the current run started (epoch ms), null while not running */
  startedAtMs: z.number().nullable(),
  lastExit: z
    .object({ code: z.number().int().nullable(), signal: z.string().nullable(), atMs: z.number() })
    .nullable(),
});
export type SupervisedProcess = z.infer<typeof supervisedProcessSchema>;

export const supervisorStatusSchema = z.object({
  updatedAtMs: z.number(),
  processes: z.array(supervisedProcessSchema),
});

export const processesResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  /** false when the BFF runs without --process-status-file (not under `npm start`) */
  supervised: z.boolean(),
  /** why the status file could not be read, null when fine */
  error: z.string().nullable(),
  updatedAtMs: z.number().nullable(),
  processes: z.array(supervisedProcessSchema),
});
export type ProcessesResponse = z.infer<typeof processesResponseSchema>;
