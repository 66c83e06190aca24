import { parse } from 'yaml';
import * as z from 'zod';

/** istio/proxy's metric fixture shape (a prometheus MetricFamily as YAML). */
const familySchema = z.object({
  name: z.string(),
  type: z.enum(['COUNTER', 'GAUGE', 'HISTOGRAM']),
  metric: z.array(
    z.object({
      counter: z.object({ value: z.union([z.number(), z.string()]) }).optional(),
      gauge: z.object({ value: z.union([z.number(), z.string()]) }).optional(),
      label: z
        .array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]).nullable() }))
        .optional(),
    }),
  ),
});

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Rendered YAML family -> Prometheus text exposition. */
export function yamlFamilyToExposition(yamlText: string): string {
  const family = familySchema.parse(parse(yamlText));
  const lines = [`# TYPE ${family.name} ${family.type.toLowerCase()}`];
  for (const m of family.metric) {
    const labels = (m.label ?? [])
      .map((l) => `${l.name}="${escapeValue(String(l.value ?? ''))}"`)
      .join(',');
    const v = m.counter?.value ?? m.gauge?.value ?? 0;
    lines.push(`${family.name}{${labels}} ${v}`);
  }
  return `${lines.join('\n')}\n`;
}
