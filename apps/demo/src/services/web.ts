import { HttpError, readJson, sendJson, traceHeaders } from '../http';
import type { Handler, ServiceContext } from './context';

/** web: the shop's front end (JSON for the pages): home, product page, checkout. */
export function webHandler(ctx: ServiceContext): Handler {
  return async ({ req, res, method, segments }) => {
    const trace = traceHeaders(req.headers);
    const apiVersion = req.headers['x-api-version'];
    if (method === 'GET' && segments.length === 0) {
      const list = await ctx.caller.call('catalog', '/products', { headers: trace });
      if (list.status !== 200) throw new HttpError(502, `catalog answered ${list.status}`);
      sendJson(res, 200, { page: 'home', catalog: list.body });
      return true;
    }
    if (
      method === 'GET' &&
      segments[0] === 'products' &&
      segments[1] !== undefined &&
      segments.length === 2
    ) {
      const id = encodeURIComponent(segments[1]);
      const reviewHeaders =
        typeof apiVersion === 'string' ? { ...trace, 'x-api-version': apiVersion } : trace;
      const [product, reviews] = await Promise.all([
        ctx.caller.call('catalog', `/products/${id}`, { headers: trace }),
        ctx.caller.call('reviews', `/reviews/${id}`, { headers: reviewHeaders }),
      ]);
      if (product.status === 404) throw new HttpError(404, `no product ${segments[1]}`);
      if (product.status !== 200) throw new HttpError(502, `catalog answered ${product.status}`);
      const reviewsBody =
        reviews.status === 200 ? reviews.body : { unavailable: true, status: reviews.status };
      sendJson(res, 200, { page: 'product', product: product.body, reviews: reviewsBody });
      return true;
    }
    if (method === 'POST' && segments[0] === 'checkout' && segments.length === 1) {
      const order = await ctx.caller.call('checkout', '/orders', {
        method: 'POST',
        body: await readJson(req),
        headers: trace,
      });
      sendJson(res, order.status === 201 ? 201 : 502, order.body);
      return true;
    }
    return false;
  };
}
