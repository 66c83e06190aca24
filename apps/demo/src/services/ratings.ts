import { sendJson, work } from '../http';
import type { Handler, ServiceContext } from './context';

/** ratings: star ratings per product; fails about 5% of requests with a 500 (retries hide most). */
export function ratingsHandler(ctx: ServiceContext, failureRate = 0.05): Handler {
  return async ({ res, method, segments }) => {
    if (method !== 'GET' || segments[0] !== 'ratings' || segments[1] === undefined) return false;
    await work(1 + ctx.random() * 4);
    if (ctx.random() < failureRate) {
      sendJson(res, 500, { error: 'ratings database connection reset' });
      return true;
    }
    const id = Number(segments[1]) || 0;
    sendJson(res, 200, {
      productId: segments[1],
      average: 3 + ((id * 7) % 20) / 10,
      count: 10 + id * 13,
    });
    return true;
  };
}
