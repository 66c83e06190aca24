import { type TapEvent, type TapInfo, tapEventSchema, tapInfoSchema } from '@meshlens/contract';
import * as z from 'zod';
import { ApiError, isAbort } from './errors';
import { readSse } from './sse';

export interface TapHandlers {
  onInfo?(info: TapInfo): void;
  onEvent(event: TapEvent): void;
  /** a proxy that could not be tapped, and why */
  onProxyError?(error: { pod: string; message: string }): void;
}

const proxyErrorSchema = z.object({ pod: z.string(), message: z.string() });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Dispatches a tap stream's frames, each parsed with the contract (unknown ones are skipped). */
export async function openTap(
  res: Response,
  handlers: TapHandlers,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (res.body === null) throw new ApiError('The tap stream has no body', res.status);
  try {
    await readSse(res.body, (frame) => {
      const raw = parseJson(frame.data);
      if (frame.event === 'tap') {
        const e = tapEventSchema.safeParse(raw);
        if (e.success) handlers.onEvent(e.data);
      } else if (frame.event === 'info') {
        const i = tapInfoSchema.safeParse(raw);
        if (i.success) handlers.onInfo?.(i.data);
      } else if (frame.event === 'tap-error') {
        const p = proxyErrorSchema.safeParse(raw);
        if (p.success) handlers.onProxyError?.(p.data);
      }
    });
  } catch (err) {
    if (signal?.aborted === true && isAbort(err)) return;
    if (signal?.aborted === true) return;
    throw new ApiError('The tap stream broke off', 0, 'stream-broken');
  }
}
