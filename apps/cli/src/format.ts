/** Number formatting shared by the table commands, in the style of `linkerd viz stat`. */
export function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(2)}%`;
}

export function rps(value: number): string {
  return `${value.toFixed(1)}rps`;
}

export function ms(value: number | null): string {
  if (value === null) return '-';
  return Number.isInteger(value) ? `${value}ms` : `${value.toFixed(1)}ms`;
}

export function bytesPerSec(value: number): string {
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)}MiB/s`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)}KiB/s`;
  return `${value.toFixed(0)}B/s`;
}

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;
const visible = (s: string): number => s.replace(ansi, '').length;

/** Left-aligned columns separated by three spaces, as kubectl and linkerd print them. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(c))),
      )
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
