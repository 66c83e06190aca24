import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseMeshConfig, type SourceDocument } from './parse';
import type { ConfigError, ParseResult } from './types';

const CONFIG_FILE = /\.(ya?ml|json)$/i;

/** Splits one YAML (or JSON) text into documents; syntax errors are reported with line and column. */
export function parseYamlDocuments(
  text: string,
  file: string,
): { docs: SourceDocument[]; errors: ConfigError[] } {
  const docs: SourceDocument[] = [];
  const errors: ConfigError[] = [];
  parseAllDocuments(text, { prettyErrors: true }).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        errors.push({
          file,
          object: `document ${index + 1}`,
          field: '',
          message: e.message.split('\n')[0] ?? e.message,
        });
      }
      return;
    }
    const value: unknown = doc.toJS();
    // Empty documents (a trailing "---", comments only) are not objects and not errors.
    if (value === null || value === undefined) return;
    docs.push({ file, index, value });
  });
  return { docs, errors };
}

/** Parses a YAML text with one or more documents as a complete configuration. */
export function parseMeshConfigText(text: string, file = '<inline>'): ParseResult {
  const { docs, errors } = parseYamlDocuments(text, file);
  if (errors.length > 0) return { ok: false, errors };
  return parseMeshConfig(docs);
}

/** Loads every *.yaml / *.yml / *.json file of a directory (not recursive, sorted by name) as one configuration. */
export async function loadMeshConfigDir(dir: string): Promise<ParseResult> {
  let names: string[];
  try {
    const candidates = (await readdir(dir))
      .filter((n) => CONFIG_FILE.test(n) && !n.startsWith('.'))
      .sort();
    // stat follows symlinks: a Kubernetes ConfigMap volume is a directory of symlinks.
    const isFile = await Promise.all(
      candidates.map((n) =>
        stat(path.join(dir, n)).then(
          (s) => s.isFile(),
          () => false,
        ),
      ),
    );
    names = candidates.filter((_, i) => isFile[i]);
  } catch (err) {
    return {
      ok: false,
      errors: [
        {
          file: dir,
          object: '',
          field: '',
          message: `cannot read directory: ${(err as Error).message}`,
        },
      ],
    };
  }
  const docs: SourceDocument[] = [];
  const errors: ConfigError[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      errors.push({
        file,
        object: '',
        field: '',
        message: `cannot read file: ${(err as Error).message}`,
      });
      continue;
    }
    const one = parseYamlDocuments(text, file);
    docs.push(...one.docs);
    errors.push(...one.errors);
  }
  const result = parseMeshConfig(docs);
  if (errors.length === 0) return result;
  return { ok: false, errors: [...errors, ...(result.ok ? [] : result.errors)] };
}

/** "file: Kind ns/name: field: message" - one line per problem, for logs and the CLI. */
export function formatConfigError(e: ConfigError): string {
  return [e.file, e.object, e.field, e.message].filter((s) => s !== '').join(': ');
}
