import * as z from 'zod';
import type { DestinationPolicy, EndpointInfo } from './discoverySource';

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a DNS label');

const EndpointSchema = z.strictObject({
  namespace: name,
  service: name,
  workload: z.string().min(1).optional(),
  pod: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  serviceAccount: z.string().min(1).optional(),
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  adminAddress: z.string().min(1).optional(),
  adminPort: z.number().int().min(1).max(65535).optional(),
});

const PolicySchema = z.strictObject({
  timeoutMs: z.number().int().positive().optional(),
  retryOnStatuses: z.array(z.number().int().min(500).max(599)).optional(),
  maxRetries: z.number().int().min(0).max(5).optional(),
  /** The service's own addresses (`ip:port`, like a ClusterIP): captured traffic to them is this service's. */
  addresses: z
    .array(
      z.string().regex(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/, 'must be ip:port, e.g. 10.96.0.10:80'),
    )
    .optional(),
});

export const DiscoveryFileSchema = z.strictObject({
  endpoints: z.array(EndpointSchema).default([]),
  /** Keyed by `service.namespace`. */
  destinations: z.record(z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/), PolicySchema).default({}),
});

export interface DiscoveryState {
  byService: Map<string, EndpointInfo[]>;
  policies: Map<string, DestinationPolicy>;
  /** `ip:port` -> `name.namespace`, from the destinations' `addresses`. */
  byAddress: Map<string, string>;
}

export type ParseResult = { ok: true; state: DiscoveryState } | { ok: false; error: string };

/**
 * A discovery file's document: JSON (what generators write) is read natively; anything else is
 * YAML, whose parser is loaded only then (it is ~0.5 MB of memory in a proxy that never needs it).
 */
async function readDocument(text: string): Promise<unknown> {
  try {
    return JSON.parse(text);
  } catch {
    const { parse } = await import('yaml');
    return parse(text);
  }
}

/** Parses a discovery file, YAML or JSON. */
export async function parseDiscoveryFile(text: string, file: string): Promise<ParseResult> {
  let doc: unknown;
  try {
    doc = await readDocument(text);
  } catch (err) {
    return { ok: false, error: `${file}: not valid YAML/JSON: ${(err as Error).message}` };
  }
  const parsed = DiscoveryFileSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    return { ok: false, error: `${file}: ${problems.join('; ')}` };
  }
  const byService = new Map<string, EndpointInfo[]>();
  for (const e of parsed.data.endpoints) {
    const key = `${e.service}.${e.namespace}`;
    const workload = e.workload ?? e.service;
    const ep: EndpointInfo = {
      ...e,
      workload,
      pod: e.pod ?? `${workload}-${e.address}-${e.port}`,
    };
    const list = byService.get(key);
    if (list === undefined) byService.set(key, [ep]);
    else list.push(ep);
  }
  const policies = new Map<string, DestinationPolicy>();
  const byAddress = new Map<string, string>();
  for (const [key, { addresses, ...policy }] of Object.entries(parsed.data.destinations)) {
    policies.set(key, policy);
    for (const a of addresses ?? []) {
      const owner = byAddress.get(a);
      if (owner !== undefined && owner !== key) {
        return {
          ok: false,
          error: `${file}: destinations.${key}.addresses: ${a} is already ${owner}'s`,
        };
      }
      byAddress.set(a, key);
    }
    if (!byService.has(key)) byService.set(key, []);
  }
  return { ok: true, state: { byService, policies, byAddress } };
}
