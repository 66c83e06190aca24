import * as z from 'zod';

export const configErrorSchema = z.object({
  file: z.string(),
  object: z.string(),
  field: z.string(),
  message: z.string(),
});
