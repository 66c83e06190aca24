import type { StatRow } from '@meshlens/contract';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';

export function Headline({ row }: { row: StatRow | undefined }) {
  const cards: [string, string][] = [
    ['Success rate', formatPercent(row?.successRate)],
    ['Requests / s', formatRps(row?.rps)],
    ['P50', formatLatency(row?.latencyMs.p50)],
    ['P95', formatLatency(row?.latencyMs.p95)],
    ['P99', formatLatency(row?.latencyMs.p99)],
    [
      'Meshed',
      row
        ? row.meshed.ready !== undefined
          ? `${row.meshed.ready}/${row.meshed.total}`
          : String(row.meshed.total)
        : '—',
    ],
  ];
  return (
    <section className="headline" aria-label="Headline numbers">
      {cards.map(([label, value]) => (
        <div key={label} className="panel stat-card">
          <div className="label">{label}</div>
          <div className="value" data-testid={`headline-${label}`}>
            {value}
          </div>
        </div>
      ))}
    </section>
  );
}
