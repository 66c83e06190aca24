import { sendJson, work } from '../http';
import type { Handler, ServiceContext } from './context';

export interface Product {
  id: string;
  name: string;
  category: string;
  price: { amount: number; currency: string };
  stock: number;
}

export const products: readonly Product[] = [
  {
    id: '1',
    name: 'Trail running shoes',
    category: 'shoes',
    price: { amount: 129.9, currency: 'EUR' },
    stock: 42,
  },
  {
    id: '2',
    name: 'Merino base layer',
    category: 'apparel',
    price: { amount: 79.0, currency: 'EUR' },
    stock: 17,
  },
  {
    id: '3',
    name: 'Ultralight tent 2P',
    category: 'camping',
    price: { amount: 449.0, currency: 'EUR' },
    stock: 5,
  },
  {
    id: '4',
    name: 'Headlamp 400 lm',
    category: 'gear',
    price: { amount: 39.5, currency: 'EUR' },
    stock: 120,
  },
  {
    id: '5',
    name: 'Water filter',
    category: 'gear',
    price: { amount: 34.9, currency: 'EUR' },
    stock: 64,
  },
  {
    id: '6',
    name: 'Down jacket',
    category: 'apparel',
    price: { amount: 259.0, currency: 'EUR' },
    stock: 9,
  },
  {
    id: '7',
    name: 'Trekking poles',
    category: 'gear',
    price: { amount: 89.0, currency: 'EUR' },
    stock: 31,
  },
  {
    id: '8',
    name: 'Sleeping pad',
    category: 'camping',
    price: { amount: 119.0, currency: 'EUR' },
    stock: 0,
  },
];

/** catalog: the product list and product details (a fast, read-only service; 2 replicas). */
export function catalogHandler(ctx: ServiceContext): Handler {
  return async ({ res, method, segments }) => {
    if (method !== 'GET' || segments[0] !== 'products') return false;
    await work(2 + ctx.random() * 8);
    const id = segments[1];
    if (id === undefined) {
      sendJson(res, 200, { served_by: ctx.instance.pod, items: products });
      return true;
    }
    const product = products.find((p) => p.id === id);
    if (product === undefined) sendJson(res, 404, { error: `no product ${id}` });
    else sendJson(res, 200, { ...product, served_by: ctx.instance.pod });
    return true;
  };
}
