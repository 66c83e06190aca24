import { isMap, isSeq, type Document } from 'yaml';
import type { PatchOperation } from './jsonDiff';

type Path = (string | number)[];

function parsePointer(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * Applies a patch to the YAML document node by node (below `base`, e.g. a Deployment's pod
 * template): nodes the patch does not name keep their comments, quoting and layout, so the
 * text diff of `meshlens inject` is the injection only.
 */
export function applyToYaml(doc: Document, base: Path, ops: PatchOperation[]): void {
  for (const op of ops) {
    const parts = parsePointer(op.path);
    const last = parts.pop();
    if (last === undefined) throw new Error('a patch of the whole document is not supported');
    const parentPath: Path = [...base];
    for (const p of parts) {
      const parent: unknown = doc.getIn(parentPath, true);
      parentPath.push(isSeq(parent) ? Number(p) : p);
    }
    const parent: unknown = doc.getIn(parentPath, true);
    if (isSeq(parent)) {
      const index = Number(last);
      if (op.op === 'add') parent.items.splice(index, 0, doc.createNode(op.value));
      else if (op.op === 'remove') parent.items.splice(index, 1);
      else parent.items[index] = doc.createNode(op.value);
    } else if (isMap(parent)) {
      if (op.op === 'remove') parent.delete(last);
      else parent.set(last, doc.createNode(op.value));
    } else {
      throw new Error(`cannot patch ${op.path}: its parent is not a map or a sequence`);
    }
  }
}
