import { useMemo, useState, type ReactNode, type UIEvent } from 'react';
import type { SortState } from '../lib/search';

export interface Column<R, K extends string> {
  /** sortable columns use a key of K; others any unique string */
  key: K | (string & {});
  header: string;
  render: (row: R) => ReactNode;
  /** omitted = not sortable; null sorts last in both directions */
  sortValue?: (row: R) => number | string | null;
  numeric?: boolean;
}

export interface DataTableProps<R, K extends string> {
  caption: string;
  rows: readonly R[];
  columns: readonly Column<R, K>[];
  rowKey: (row: R) => string;
  sort?: SortState<K> | undefined;
  onSortChange?: (sort: SortState<K>) => void;
  selectedKey?: string | undefined;
  onRowClick?: (row: R) => void;
  /** rows beyond this are windowed: only the visible ones are in the DOM */
  virtualizeAbove?: number;
  testId?: string;
}

const ROW_HEIGHT = 36;
const VIEWPORT_ROWS = 16;
const OVERSCAN = 6;

export function compareValues(
  a: number | string | null,
  b: number | string | null,
  dir: 'asc' | 'desc',
): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const c =
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : String(a).localeCompare(String(b), 'en');
  return dir === 'asc' ? c : -c;
}

export function sortRows<R, K extends string>(
  rows: readonly R[],
  columns: readonly Column<R, K>[],
  sort: SortState<K> | undefined,
): R[] {
  const col = sort ? columns.find((c) => c.key === sort.key) : undefined;
  const value = col?.sortValue;
  if (!sort || !value) return rows.slice();
  return rows
    .map((r, i) => ({ r, i, v: value(r) }))
    .sort((x, y) => compareValues(x.v, y.v, sort.dir) || x.i - y.i)
    .map((x) => x.r);
}

function ariaSort(active: boolean, dir: 'asc' | 'desc'): 'ascending' | 'descending' | 'none' {
  if (!active) return 'none';
  return dir === 'asc' ? 'ascending' : 'descending';
}

export function DataTable<R, K extends string>(props: DataTableProps<R, K>) {
  const { rows, columns, sort, onSortChange, rowKey } = props;
  const sorted = useMemo(() => sortRows(rows, columns, sort), [rows, columns, sort]);
  const [scrollTop, setScrollTop] = useState(0);
  const virtual = sorted.length > (props.virtualizeAbove ?? 200);
  const first = virtual ? Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN) : 0;
  const last = virtual
    ? Math.min(sorted.length, first + VIEWPORT_ROWS + 2 * OVERSCAN)
    : sorted.length;
  const visible = sorted.slice(first, last);

  function handleHeader(key: K) {
    // Only sortable columns render a header button, and their keys are sort keys.
    if (!onSortChange) return;
    const dir = sort?.key === key && sort.dir === 'desc' ? 'asc' : 'desc';
    onSortChange({ key, dir: sort?.key === key ? dir : key === 'name' ? 'asc' : 'desc' });
  }

  function handleScroll(e: UIEvent<HTMLDivElement>) {
    setScrollTop(e.currentTarget.scrollTop);
  }

  return (
    <div
      className={virtual ? 'table-wrap table-virtual' : 'table-wrap'}
      style={virtual ? { maxHeight: ROW_HEIGHT * (VIEWPORT_ROWS + 1) } : undefined}
      onScroll={virtual ? handleScroll : undefined}
      data-testid={props.testId}
    >
      <table className="data-table" aria-rowcount={sorted.length + 1}>
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = sort?.key === c.key;
              return (
                <th
                  key={c.key}
                  scope="col"
                  className={c.numeric ? 'num' : undefined}
                  aria-sort={c.sortValue ? ariaSort(active, sort?.dir ?? 'asc') : undefined}
                >
                  {c.sortValue && onSortChange ? (
                    <button
                      type="button"
                      className="th-sort"
                      onClick={() => handleHeader(c.key as K)}
                    >
                      {c.header}
                      <span className="sort-mark" aria-hidden="true">
                        {active ? (sort?.dir === 'asc' ? '▲' : '▼') : ''}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {first > 0 && (
            <tr aria-hidden="true" style={{ height: first * ROW_HEIGHT }}>
              <td colSpan={columns.length} />
            </tr>
          )}
          {visible.map((r, i) => {
            const key = rowKey(r);
            return (
              <tr
                key={key}
                aria-rowindex={first + i + 2}
                aria-selected={
                  props.selectedKey !== undefined ? props.selectedKey === key : undefined
                }
                className={props.selectedKey === key ? 'selected' : undefined}
                onClick={
                  props.onRowClick
                    ? (e) => {
                        // A link or button inside the row does its own thing.
                        if (
                          e.target instanceof Element &&
                          e.target.closest('a,button,input,select')
                        )
                          return;
                        props.onRowClick?.(r);
                      }
                    : undefined
                }
              >
                {columns.map((c) => (
                  <td key={c.key} className={c.numeric ? 'num' : undefined}>
                    {c.render(r)}
                  </td>
                ))}
              </tr>
            );
          })}
          {last < sorted.length && (
            <tr aria-hidden="true" style={{ height: (sorted.length - last) * ROW_HEIGHT }}>
              <td colSpan={columns.length} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
