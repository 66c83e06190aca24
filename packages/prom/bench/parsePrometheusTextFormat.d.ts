// Minimal types for the benchmark baseline (the package ships none).
declare module 'parse-prometheus-text-format' {
  interface ParsedFamily {
    name: string;
    help: string;
    type: string;
    metrics: {
      value?: string;
      labels?: Record<string, string>;
      buckets?: Record<string, string>;
    }[];
  }
  // eslint-disable-next-line no-restricted-syntax -- describes the package's own default export
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
