import type { Span } from '@meshlens/contract';
import { formatLatency } from '../../lib/format';
import { axisTicks, serviceColor, type WaterfallRow } from './waterfall';

export interface WaterfallProps {
  rows: readonly WaterfallRow[];
  bounds: { start: number; end: number };
  selectedSpan: string | undefined;
  collapsed: ReadonlySet<string>;
  onSelect: (spanId: string) => void;
  onToggle: (spanId: string) => void;
}

function isError(s: Span): boolean {
  return s.status.code === 'error';
}

export function Waterfall({
  rows,
  bounds,
  selectedSpan,
  collapsed,
  onSelect,
  onToggle,
}: WaterfallProps) {
  const total = bounds.end - bounds.start;
  const pct = (ms: number) => `${(ms / total) * 100}%`;
  return (
    <div className="waterfall" role="tree" aria-label="Span waterfall">
      <div className="wf-head" aria-hidden="true">
        <div className="wf-label">Service · operation</div>
        <div className="wf-axis">
          {axisTicks(total).map((t) => (
            <span key={t} style={{ left: pct(t) }}>
              {formatLatency(t)}
            </span>
          ))}
        </div>
      </div>
      {rows.map(({ span, depth, childCount }) => {
        const offset = span.startMs - bounds.start;
        const isCollapsed = collapsed.has(span.spanId);
        const cls = [
          'wf-row',
          selectedSpan === span.spanId ? 'selected' : '',
          isError(span) ? 'error' : '',
        ]
          .filter(Boolean)
          .join(' ');
        const endsLate = (offset + span.durationMs) / total > 0.85;
        return (
          <div
            key={span.spanId}
            className={cls}
            role="treeitem"
            aria-level={depth + 1}
            aria-selected={selectedSpan === span.spanId}
            aria-expanded={childCount > 0 ? !isCollapsed : undefined}
            tabIndex={0}
            data-testid="span-row"
            onClick={() => onSelect(span.spanId)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onSelect(span.spanId);
              } else if (
                (e.key === 'ArrowLeft' && !isCollapsed) ||
                (e.key === 'ArrowRight' && isCollapsed)
              ) {
                if (childCount > 0) onToggle(span.spanId);
              }
            }}
          >
            <div className="wf-label" style={{ paddingLeft: depth * 14 }}>
              {childCount > 0 ? (
                <button
                  type="button"
                  className="wf-toggle"
                  aria-label={`${isCollapsed ? 'Expand' : 'Collapse'} ${childCount} child spans`}
                  onClick={(e) => {
                    e.stopPropagation();
                    onToggle(span.spanId);
                  }}
                >
                  {isCollapsed ? '▸' : '▾'}
                </button>
              ) : (
                <span className="wf-toggle" />
              )}
              <span className="wf-service" style={{ color: serviceColor(span.service) }}>
                {span.service}
              </span>
              <span className="wf-name">{span.name}</span>
              {isError(span) && <span className="err-badge">!</span>}
            </div>
            <div className="wf-track">
              <div
                className={isError(span) ? 'wf-bar error' : 'wf-bar'}
                style={{
                  left: pct(offset),
                  width: pct(span.durationMs),
                  background: serviceColor(span.service),
                }}
              />
              <span
                className={endsLate ? 'wf-dur inside' : 'wf-dur'}
                style={
                  endsLate
                    ? { right: `calc(${pct(total - offset - span.durationMs)} + 4px)` }
                    : { left: `calc(${pct(offset + span.durationMs)} + 4px)` }
                }
              >
                {formatLatency(span.durationMs)}
              </span>
            </div>
          </div>
        );
      })}
    </div>
  );
}
