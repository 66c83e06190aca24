import type { z } from 'zod';
import {
  DOC_SCHEMAS,
  isObject,
  type AuthorizationPolicyDoc,
  type DocKind,
  type FaultPolicyDoc,
  type HttpRouteDoc,
  type MeshPolicyDoc,
} from './inputSchema';
import { buildConfig } from './normalize';
import type { ConfigError, ParseResult } from './types';

/** One YAML/JSON document and where it came from (for error messages). */
export interface SourceDocument {
  file: string;
  /** 0-based position of the document inside its file. */
  index: number;
  value: unknown;
}

export interface ParsedDocs {
  /** `Kind ns/name` of documents that failed validation: references to them are not reported again. */
  invalid: Set<string>;
  routes: Array<{ doc: HttpRouteDoc; file: string }>;
  faults: Array<{ doc: FaultPolicyDoc; file: string }>;
  authz: Array<{ doc: AuthorizationPolicyDoc; file: string }>;
  mesh: Array<{ doc: MeshPolicyDoc; file: string }>;
}

/** Validates every document and returns the whole configuration, or every problem found (all or nothing). */
export function parseMeshConfig(docs: readonly SourceDocument[]): ParseResult {
  const errors: ConfigError[] = [];
  const parsed: ParsedDocs = { invalid: new Set(), routes: [], faults: [], authz: [], mesh: [] };
  const seen = new Map<string, string>();
  for (const d of docs) {
    const one = parseDocument(d, errors);
    if (!one) {
      parsed.invalid.add(objectLabel(d));
      continue;
    }
    const key = `${one.kind} ${one.doc.metadata.namespace}/${one.doc.metadata.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        file: d.file,
        object: key,
        field: 'metadata.name',
        message: `duplicate of the object in ${first}`,
      });
      continue;
    }
    seen.set(key, d.file);
    addParsed(parsed, one, d.file);
  }
  const built = buildConfig(parsed, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: built };
}

type OneDoc =
  | { kind: 'HTTPRoute'; doc: HttpRouteDoc }
  | { kind: 'FaultPolicy'; doc: FaultPolicyDoc }
  | { kind: 'AuthorizationPolicy'; doc: AuthorizationPolicyDoc }
  | { kind: 'MeshPolicy'; doc: MeshPolicyDoc };

function addParsed(parsed: ParsedDocs, one: OneDoc, file: string): void {
  switch (one.kind) {
    case 'HTTPRoute':
      parsed.routes.push({ doc: one.doc, file });
      break;
    case 'FaultPolicy':
      parsed.faults.push({ doc: one.doc, file });
      break;
    case 'AuthorizationPolicy':
      parsed.authz.push({ doc: one.doc, file });
      break;
    case 'MeshPolicy':
      parsed.mesh.push({ doc: one.doc, file });
      break;
  }
}

function parseDocument(d: SourceDocument, errors: ConfigError[]): OneDoc | undefined {
  const object = objectLabel(d);
  if (!isObject(d.value)) {
    errors.push({
      file: d.file,
      object,
      field: '',
      message: 'a document must be a mapping (kind, metadata, spec)',
    });
    return undefined;
  }
  const kind = d.value['kind'];
  if (typeof kind !== 'string' || !(kind in DOC_SCHEMAS)) {
    const known = Object.keys(DOC_SCHEMAS).join(', ');
    errors.push({
      file: d.file,
      object,
      field: 'kind',
      message: `unknown kind ${JSON.stringify(kind)}; expected one of ${known}`,
    });
    return undefined;
  }
  const schema: z.ZodType = DOC_SCHEMAS[kind as DocKind];
  const result = schema.safeParse(d.value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      errors.push({ file: d.file, object, field: formatPath(issue.path), message: issue.message });
    }
    return undefined;
  }
  return { kind, doc: result.data } as OneDoc;
}

function objectLabel(d: SourceDocument): string {
  const v = d.value;
  if (isObject(v) && typeof v['kind'] === 'string' && isObject(v['metadata'])) {
    const md = v['metadata'];
    const name = typeof md['name'] === 'string' ? md['name'] : '?';
    const ns = typeof md['namespace'] === 'string' ? md['namespace'] : 'default';
    return `${v['kind']} ${ns}/${name}`;
  }
  return `document ${d.index + 1}`;
}

/** ['spec','rules',0,'weight'] -> "spec.rules[0].weight" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}
