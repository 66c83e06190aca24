// A dependency-free SVG trend line: the golden-signals table shows one per row, and pulling
// recharts into the first view for that would double its size.
export interface SparklineProps {
  values: readonly (number | null)[];
  width?: number;
  height?: number;
  label: string;
}

export function sparklinePath(values: readonly (number | null)[], w: number, h: number): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length < 2) return '';
  const max = Math.max(...finite);
  const min = Math.min(0, ...finite);
  const span = max - min || 1;
  const dx = values.length > 1 ? w / (values.length - 1) : 0;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const x = (i * dx).toFixed(1);
    const y = (h - 1 - ((v - min) / span) * (h - 2)).toFixed(1);
    d += `${pen ? 'L' : 'M'}${x},${y}`;
    pen = true;
  });
  return d;
}

export function Sparkline({ values, width = 80, height = 20, label }: SparklineProps) {
  const d = sparklinePath(values, width, height);
  return (
    <svg className="sparkline" width={width} height={height} role="img" aria-label={label}>
      {d !== '' && <path d={d} fill="none" stroke="currentColor" strokeWidth="1.5" />}
    </svg>
  );
}
