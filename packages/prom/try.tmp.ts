import { readFileSync } from 'node:fs';
import { parseExposition } from '@meshlens/prom';
for (const f of [
  '/work/shared/testdata/prometheus/promparse.cases.json',
  '/work/shared/testdata/expfmt/text_parse.cases.json',
]) {
  const d = JSON.parse(readFileSync(f, 'utf8')) as { cases: Record<string, unknown>[] };
  for (const c of d.cases) {
    const input =
      typeof c.input === 'string'
        ? c.input
        : new TextDecoder().decode(Buffer.from(String(c.input_base64), 'base64'));
    const should = c.should_parse ?? c.should_parse_utf8;
    let ok = true;
    let msg = '';
    try {
      parseExposition(input);
    } catch (e) {
      ok = false;
      msg = String(e);
    }
    if (ok !== should)
      console.log(
        'MISMATCH',
        c.test,
        c.go_line,
        c.case_comment ?? '',
        JSON.stringify(input).slice(0, 100),
        msg,
      );
  }
}
