import { HttpError, readJson, sendJson, traceHeaders } from '../http';
import type { Handler, ServiceContext } from './context';

interface Line {
  productId: string;
  quantity: number;
}

function parseOrder(body: unknown): Line[] {
  const items =
    typeof body === 'object' && body !== null && 'items' in body ? body.items : undefined;
  if (!Array.isArray(items) || items.length === 0 || items.length > 20) {
    throw new HttpError(400, 'items must be a list of 1 to 20 {productId, quantity}');
  }
  return items.map((i: unknown) => {
    const o = (typeof i === 'object' && i !== null ? i : {}) as Record<string, unknown>;
    if (typeof o.productId !== 'string' || typeof o.quantity !== 'number' || o.quantity < 1) {
      throw new HttpError(400, 'each item needs a productId and a quantity >= 1');
    }
    return { productId: o.productId, quantity: o.quantity };
  });
}

let orders = 0;

/** checkout: prices the cart with catalog, reserves it with inventory (gRPC), charges payments. */
export function checkoutHandler(ctx: ServiceContext): Handler {
  return async ({ req, res, method, segments }) => {
    if (method !== 'POST' || segments[0] !== 'orders' || segments.length !== 1) return false;
    const lines = parseOrder(await readJson(req));
    const trace = traceHeaders(req.headers);
    let total = 0;
    for (const line of lines) {
      const p = await ctx.caller.call(
        'catalog',
        `/products/${encodeURIComponent(line.productId)}`,
        { headers: trace },
      );
      if (p.status !== 200)
        throw new HttpError(
          p.status === 404 ? 422 : 502,
          `catalog answered ${p.status} for ${line.productId}`,
        );
      const price = (p.body as { price?: { amount?: unknown } }).price?.amount;
      total += (typeof price === 'number' ? price : 0) * line.quantity;
    }
    total = Math.round(total * 100) / 100;
    let reservedBy = '';
    for (const line of lines) {
      reservedBy = (await ctx.inventory.reserve(line.productId, line.quantity, trace)).pod;
    }
    const pay = await ctx.caller.call('payments', '/charges', {
      method: 'POST',
      body: { amount: total, currency: 'EUR' },
      headers: trace,
    });
    if (pay.status !== 201) {
      sendJson(res, 502, { error: 'payment failed', paymentsStatus: pay.status });
      return true;
    }
    orders += 1;
    sendJson(res, 201, {
      orderId: `o-${ctx.instance.pod}-${orders}`,
      total,
      currency: 'EUR',
      payment: pay.body,
      reservedBy,
    });
    return true;
  };
}
