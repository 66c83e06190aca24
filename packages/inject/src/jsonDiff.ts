/** An RFC 6902 operation, as the admission webhook returns them. */
export type PatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

const pointer = (path: (string | number)[]) =>
  path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The smallest patch we need from `before` to `after`: objects key by key, arrays as insertions
 * when `before`'s items are all still there in order (so an item put in front is one `add`, and
 * the items after it keep their nodes, comments and formatting in YAML), otherwise item by item.
 */
export function jsonDiff(
  before: unknown,
  after: unknown,
  path: (string | number)[] = [],
): PatchOperation[] {
  if (equal(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const ops: PatchOperation[] = [];
    for (const key of Object.keys(before)) {
      if (!(key in after)) ops.push({ op: 'remove', path: pointer([...path, key]) });
    }
    for (const [key, value] of Object.entries(after)) {
      if (!(key in before)) ops.push({ op: 'add', path: pointer([...path, key]), value });
      else ops.push(...jsonDiff(before[key], value, [...path, key]));
    }
    return ops;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const was: unknown[] = before;
    const is: unknown[] = after;
    const inserted = insertions(was, is);
    if (inserted !== undefined) {
      return inserted.map((i) => ({ op: 'add', path: pointer([...path, i]), value: is[i] }));
    }
    if (was.length === is.length) {
      return was.flatMap((b, i) => jsonDiff(b, is[i], [...path, i]));
    }
  }
  return [{ op: 'replace', path: pointer(path), value: after }];
}

/** Indexes in `after` of the items added to `before`, or undefined when it is not pure insertion. */
function insertions(before: unknown[], after: unknown[]): number[] | undefined {
  const added: number[] = [];
  let j = 0;
  for (let i = 0; i < after.length; i++) {
    if (j < before.length && equal(before[j], after[i])) j++;
    else added.push(i);
  }
  return j === before.length ? added : undefined;
}
