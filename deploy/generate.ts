import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { Document, isScalar, isSeq, visit } from 'yaml';
import { composeModel, prometheusModel } from './compose/model';

export const composePath = fileURLToPath(new URL('../docker-compose.yml', import.meta.url));
export const prometheusPath = fileURLToPath(
  new URL('./prometheus/prometheus.yml', import.meta.url),
);

const header = (what: string): string =>
  `# ${what}\n# Generated from apps/demo/src/topology.ts by \`npm run generate -w @meshlens/deploy\`; do not edit.\n`;

const SHORT_LISTS = ['depends_on', 'targets', 'tmpfs'];

/** YAML with short lists on one line, the way people write compose files. */
function toYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key === 'string' && SHORT_LISTS.includes(key) && isSeq(pair.value)) {
        pair.value.flow = true;
      }
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** Formatted as the repository's prettier would, so `npm run format` leaves the files alone. */
async function formatted(file: string, text: string): Promise<string> {
  const options = (await resolveConfig(file)) ?? {};
  return format(text, { ...options, filepath: file });
}

export function composeYaml(): Promise<string> {
  return formatted(
    composePath,
    header('The meshlens demo in containers (see deploy/README.md).') + toYaml(composeModel()),
  );
}

export function prometheusYaml(): Promise<string> {
  return formatted(
    prometheusPath,
    header('Prometheus for docker-compose.yml: scrapes every proxy of the demo.') +
      toYaml(prometheusModel()),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(composePath, await composeYaml());
  writeFileSync(prometheusPath, await prometheusYaml());
  console.log(`wrote ${composePath} and ${prometheusPath}`);
}
