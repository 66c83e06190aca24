/**
 * The demo shop: every instance, the service it belongs to and who it calls. `npm start`,
 * docker-compose.yml and the deploy tests all read it from here, so they cannot drift apart.
 */
export const shopNamespace = 'shop';

export const SERVICES = [
  'web',
  'catalog',
  'reviews',
  'ratings',
  'checkout',
  'payments',
  'inventory',
  'loadgen',
  'scraper',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface InstanceSpec {
  /** unique instance name, used as the pod name */
  pod: string;
  service: ServiceName;
  workload: string;
  version: string;
  serviceAccount: string;
}

function instance(
  service: ServiceName,
  version = 'v1',
  workload: string = service,
  index = 0,
): InstanceSpec {
  return { pod: `${workload}-${index}`, service, workload, version, serviceAccount: service };
}

export const shopInstances: readonly InstanceSpec[] = [
  instance('web'),
  instance('catalog', 'v1', 'catalog', 0),
  instance('catalog', 'v1', 'catalog', 1),
  instance('reviews', 'v1', 'reviews-v1'),
  instance('reviews', 'v2', 'reviews-v2'),
  instance('ratings'),
  instance('checkout'),
  instance('payments'),
  instance('inventory'),
  instance('loadgen'),
  instance('scraper'),
];

/** Who calls whom (documentation and tests; the mesh config decides the rest). */
export const shopCalls: Readonly<Record<ServiceName, readonly ServiceName[]>> = {
  loadgen: ['web'],
  scraper: ['payments'],
  web: ['catalog', 'reviews', 'checkout'],
  catalog: [],
  reviews: ['ratings'],
  ratings: [],
  checkout: ['catalog', 'inventory', 'payments'],
  payments: [],
  inventory: [],
};
