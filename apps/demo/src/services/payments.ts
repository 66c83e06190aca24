import { HttpError, readJson, sendJson, work } from '../http';
import type { Handler, ServiceContext } from './context';

/**
 * payments: a slow dependency (a card network). Most charges take 20-120 ms, some 200-500 ms,
 * and 3% hang for 1.5 s, longer than the 1 s route timeout the mesh config sets.
 */
export function paymentsDelayMs(random: () => number): number {
  const r = random();
  if (r < 0.03) return 1500;
  if (r < 0.18) return 200 + random() * 300;
  return 20 + random() * 100;
}

let charges = 0;

export function paymentsHandler(ctx: ServiceContext): Handler {
  return async ({ req, res, method, segments }) => {
    if (method !== 'POST' || segments[0] !== 'charges' || segments.length !== 1) return false;
    const body = await readJson(req);
    const amount =
      typeof body === 'object' && body !== null && 'amount' in body ? body.amount : undefined;
    if (typeof amount !== 'number' || !(amount > 0))
      throw new HttpError(400, 'amount must be a positive number');
    await work(paymentsDelayMs(ctx.random));
    charges += 1;
    sendJson(res, 201, {
      chargeId: `ch_${ctx.instance.pod}_${charges}`,
      amount,
      status: 'captured',
    });
    return true;
  };
}
