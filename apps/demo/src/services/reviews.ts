import { sendJson, traceHeaders, work } from '../http';
import type { Handler, ServiceContext } from './context';

const texts = [
  { reviewer: 'ana', text: 'Held up on a 40 km ultra. Would buy again.' },
  { reviewer: 'bo', text: 'Runs a bit small, order a size up.' },
  { reviewer: 'chen', text: 'Great value for the weight.' },
];

/**
 * reviews: v1 lists reviews; v2 (the canary, 10% of traffic or `x-api-version: 2`) also
 * asks ratings for the stars.
 */
export function reviewsHandler(ctx: ServiceContext): Handler {
  return async ({ req, res, method, segments }) => {
    if (method !== 'GET' || segments[0] !== 'reviews' || segments[1] === undefined) return false;
    const productId = segments[1];
    await work(3 + ctx.random() * 10);
    const body: Record<string, unknown> = {
      productId,
      version: ctx.instance.version,
      served_by: ctx.instance.pod,
      reviews: texts,
    };
    if (ctx.instance.version === 'v2') {
      const r = await ctx.caller.call('ratings', `/ratings/${encodeURIComponent(productId)}`, {
        headers: traceHeaders(req.headers),
      });
      body.rating = r.status === 200 ? r.body : { error: `ratings answered ${r.status}` };
    }
    sendJson(res, 200, body);
    return true;
  };
}
