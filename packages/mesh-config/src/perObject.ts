import { parseMeshConfig, type SourceDocument } from './parse';
import type { ConfigError, MeshConfig } from './types';
import { EMPTY_MESH_CONFIG } from './types';

/** The verdict on one configuration object when objects are validated one by one. */
export interface ObjectVerdict {
  /** `Kind namespace/name` (as in ConfigError.object). */
  object: string;
  /** Index into the input documents. */
  index: number;
  accepted: boolean;
  errors: ConfigError[];
}

export interface PerObjectResult {
  /** Every accepted object, built into one configuration. */
  config: MeshConfig;
  verdicts: ObjectVerdict[];
}

/**
 * Validates objects one by one, as Kubernetes users expect: an invalid object is rejected
 * alone (with the reasons naming its fields) and every valid object keeps working. An object
 * whose reference cannot be resolved because its target was rejected is rejected too, naming
 * the reference. The file-directory mode keeps the all-or-nothing `parseMeshConfig`.
 */
export function parseMeshConfigPerObject(docs: readonly SourceDocument[]): PerObjectResult {
  const verdicts: ObjectVerdict[] = docs.map((d, index) => ({
    object: '',
    index,
    accepted: true,
    errors: [],
  }));
  // First each document alone: schema errors belong to that document only.
  let live: number[] = [];
  docs.forEach((d, i) => {
    const r = parseMeshConfig([d]);
    const v = verdicts[i];
    if (v === undefined) return;
    v.object = labelOf(d, i);
    if (!r.ok && r.errors.some((e) => isSchemaError(e))) {
      v.accepted = false;
      v.errors = r.errors;
    } else {
      live.push(i);
    }
  });
  // Then together: cross-object problems (a FaultPolicy naming a route that is not there, a
  // second MeshPolicy) reject the object that holds the reference. Removing one object can
  // break another's reference, so repeat until the set is consistent (at most once per object).
  for (let round = 0; round <= docs.length; round++) {
    const r = parseMeshConfig(live.map((i) => docs[i] as SourceDocument));
    if (r.ok) return { config: r.config, verdicts };
    const rejected = new Set<number>();
    for (const e of r.errors) {
      const i = live.find((j) => verdicts[j]?.object === e.object && docs[j]?.file === e.file);
      if (i === undefined) continue;
      rejected.add(i);
      verdicts[i]?.errors.push(e);
    }
    if (rejected.size === 0) break;
    for (const i of rejected) {
      const v = verdicts[i];
      if (v) v.accepted = false;
    }
    live = live.filter((i) => !rejected.has(i));
  }
  // Unattributable errors: accept nothing rather than something half-built.
  for (const i of live) {
    const v = verdicts[i];
    if (v) v.accepted = false;
  }
  return { config: EMPTY_MESH_CONFIG, verdicts };
}

/** Errors found by a document alone are about the document, not about references to others. */
function isSchemaError(e: ConfigError): boolean {
  return !/^no HTTPRoute /.test(e.message) && !/has no rule named/.test(e.message);
}

function labelOf(d: SourceDocument, i: number): string {
  const v = d.value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof v?.kind === 'string' && typeof v.metadata === 'object' && v.metadata !== null) {
    const name = typeof v.metadata.name === 'string' ? v.metadata.name : '?';
    const ns = typeof v.metadata.namespace === 'string' ? v.metadata.namespace : 'default';
    return `${v.kind} ${ns}/${name}`;
  }
  return `document ${i + 1}`;
}
