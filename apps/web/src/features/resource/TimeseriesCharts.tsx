// recharts lives only here and is loaded lazily with the resource page's metrics tab.
import type { TimeseriesPoint } from '@meshlens/contract';
import { useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { downsample } from '../../lib/downsample';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';

const MAX_POINTS = 240;

function clock(t: number): string {
  return new Date(t).toISOString().slice(11, 19);
}

interface ChartProps {
  title: string;
  data: TimeseriesPoint[];
  lines: { key: keyof TimeseriesPoint; name: string; color: string }[];
  format: (v: number) => string;
  domain?: [number, number];
}

function Chart({ title, data, lines, format, domain }: ChartProps) {
  return (
    <div className="panel chart-box">
      <h3>{title}</h3>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis
            dataKey="t"
            tickFormatter={clock}
            stroke="var(--muted)"
            fontSize={11}
            minTickGap={40}
          />
          <YAxis
            stroke="var(--muted)"
            fontSize={11}
            width={56}
            tickFormatter={(v: number) => format(v)}
            {...(domain ? { domain } : {})}
          />
          <Tooltip
            labelFormatter={(t) => clock(Number(t))}
            formatter={(v) => (typeof v === 'number' ? format(v) : String(v))}
            contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }}
          />
          {lines.length > 1 && <Legend wrapperStyle={{ fontSize: 11 }} />}
          {lines.map((l) => (
            <Line
              key={l.key}
              type="monotone"
              dataKey={l.key}
              name={l.name}
              stroke={l.color}
              dot={false}
              strokeWidth={1.8}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface TimeseriesChartsProps {
  points: readonly TimeseriesPoint[];
}

export function TimeseriesCharts({ points }: TimeseriesChartsProps) {
  const data = useMemo(
    () =>
      downsample(
        points,
        MAX_POINTS,
        (p) => p.t,
        (p) => p.rps,
      ),
    [points],
  );
  return (
    <section className="charts" aria-label="Time series">
      <Chart
        title="Success rate"
        data={data}
        lines={[{ key: 'successRate', name: 'success', color: 'var(--ok)' }]}
        format={formatPercent}
        domain={[0, 1]}
      />
      <Chart
        title="Requests per second"
        data={data}
        lines={[{ key: 'rps', name: 'rps', color: 'var(--accent)' }]}
        format={formatRps}
      />
      <Chart
        title="Latency"
        data={data}
        lines={[
          { key: 'p50', name: 'p50', color: 'var(--ok)' },
          { key: 'p95', name: 'p95', color: 'var(--warn)' },
          { key: 'p99', name: 'p99', color: 'var(--bad)' },
        ]}
        format={formatLatency}
      />
    </section>
  );
}
