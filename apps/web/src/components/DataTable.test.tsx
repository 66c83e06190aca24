import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { SortState } from '../lib/search';
import { DataTable, type Column } from './DataTable';

interface Row {
  name: string;
  rps: number | null;
}
type K = 'name' | 'rps';
const columns: Column<Row, K>[] = [
  { key: 'name', header: 'Name', sortValue: (r) => r.name, render: (r) => r.name },
  {
    key: 'rps',
    header: 'RPS',
    numeric: true,
    sortValue: (r) => r.rps,
    render: (r) => String(r.rps),
  },
];

function Harness({ rows }: { rows: Row[] }) {
  const [sort, setSort] = useState<SortState<K>>({ key: 'rps', dir: 'desc' });
  return (
    <DataTable
      caption="t"
      rows={rows}
      columns={columns}
      rowKey={(r) => r.name}
      sort={sort}
      onSortChange={setSort}
    />
  );
}

function names(): string[] {
  const body = screen.getAllByRole('rowgroup')[1];
  if (!body) throw new Error('no tbody');
  return within(body)
    .getAllByRole('row')
    .map((r) => within(r).getAllByRole('cell')[0]?.textContent ?? '');
}

describe('DataTable', () => {
  const rows = [
    { name: 'b', rps: 2 },
    { name: 'a', rps: null },
    { name: 'c', rps: 5 },
  ];

  it('sorts with nulls last and toggles direction from the keyboard', async () => {
    const user = userEvent.setup();
    render(<Harness rows={rows} />);
    expect(names()).toEqual(['c', 'b', 'a']);
    expect(screen.getByRole('columnheader', { name: /RPS/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    screen.getByRole('button', { name: /RPS/ }).focus();
    await user.keyboard('{Enter}');
    expect(names()).toEqual(['b', 'c', 'a']);
    expect(screen.getByRole('columnheader', { name: /RPS/ }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    await user.click(screen.getByRole('button', { name: /Name/ }));
    expect(names()).toEqual(['a', 'b', 'c']);
  });

  it('windows large tables: only visible rows are in the DOM', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      name: `r${String(i).padStart(4, '0')}`,
      rps: i,
    }));
    render(<Harness rows={many} />);
    const rendered = names().filter((n) => n !== '');
    expect(rendered.length).toBeLessThan(60);
    expect(rendered[0]).toBe('r0999');
    expect(screen.getByRole('table').getAttribute('aria-rowcount')).toBe('1001');
  });
});

describe('DataTable row clicks', () => {
  it('select the row, but clicks on a link inside it are left to the link', async () => {
    const user = userEvent.setup();
    const clicked: string[] = [];
    const cols: Column<Row, K>[] = [
      { key: 'name', header: 'Name', render: (r) => <a href={`#${r.name}`}>{r.name}</a> },
      { key: 'rps', header: 'RPS', render: (r) => String(r.rps) },
    ];
    render(
      <DataTable
        caption="t"
        rows={[{ name: 'a', rps: 1 }]}
        columns={cols}
        rowKey={(r) => r.name}
        onRowClick={(r) => clicked.push(r.name)}
      />,
    );
    await user.click(screen.getByText('1'));
    await user.click(screen.getByRole('link', { name: 'a' }));
    expect(clicked).toEqual(['a']);
  });
});
