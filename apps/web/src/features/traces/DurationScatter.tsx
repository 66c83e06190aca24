// recharts is loaded lazily with the trace search (as with the resource page's charts).
import type { TraceSummary } from '@meshlens/contract';
import { useMemo } from 'react';
import {
  CartesianGrid,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatLatency, formatTimestamp } from '../../lib/format';

export interface DurationScatterProps {
  traces: readonly TraceSummary[];
  onOpen: (traceId: string) => void;
}

interface Point {
  traceId: string;
  startMs: number;
  durationMs: number;
}

function clock(t: number): string {
  return new Date(t).toISOString().slice(11, 19);
}

/** recharts hands the clicked point back untyped; read the trace id defensively. */
function traceIdOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const payload: unknown = Reflect.get(item, 'payload');
  const source = typeof payload === 'object' && payload !== null ? payload : item;
  const id: unknown = Reflect.get(source, 'traceId');
  return typeof id === 'string' ? id : undefined;
}

/** Duration over start time of the search results, as Jaeger draws it; a point opens its trace. */
export function DurationScatter({ traces, onOpen }: DurationScatterProps) {
  const [ok, failed] = useMemo(() => {
    const good: Point[] = [];
    const bad: Point[] = [];
    for (const t of traces) {
      const p = { traceId: t.traceId, startMs: t.startMs, durationMs: t.durationMs };
      (t.errorCount > 0 ? bad : good).push(p);
    }
    return [good, bad];
  }, [traces]);
  const handleClick = (item: unknown) => {
    const id = traceIdOf(item);
    if (id !== undefined) onOpen(id);
  };
  return (
    <div
      className="trace-scatter"
      data-testid="trace-scatter"
      role="img"
      aria-label={`Duration over time of ${traces.length} traces (${failed.length} with errors); the table below lists them`}
    >
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis
            type="number"
            dataKey="startMs"
            name="Started"
            domain={['dataMin', 'dataMax']}
            tickFormatter={clock}
            stroke="var(--muted)"
            fontSize={11}
            minTickGap={40}
          />
          <YAxis
            type="number"
            dataKey="durationMs"
            name="Duration"
            tickFormatter={(v: number) => formatLatency(v)}
            stroke="var(--muted)"
            fontSize={11}
            width={64}
          />
          <Tooltip
            cursor={{ strokeDasharray: '3 3' }}
            formatter={(value, name) =>
              typeof value !== 'number'
                ? String(value)
                : name === 'Duration'
                  ? formatLatency(value)
                  : formatTimestamp(value)
            }
          />
          <Scatter
            name="Traces"
            data={ok}
            fill="var(--accent)"
            isAnimationActive={false}
            onClick={handleClick}
          />
          <Scatter
            name="Traces with errors"
            data={failed}
            fill="var(--bad)"
            isAnimationActive={false}
            onClick={handleClick}
          />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
