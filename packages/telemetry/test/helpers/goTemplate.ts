/**
 * Just enough of Go's text/template to render istio/proxy's metric YAML templates:
 * {{ .Vars.X }}, {{ .Ports.X }}, if / else if / else / end with `.Vars.X`, `eq`/`ne` against a
 * string, and the `{{-` / `-}}` whitespace trimming.
 */
export interface TemplateData {
  Vars: Record<string, string>;
  Ports: Record<string, string>;
}

type Token = { text: string } | { action: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const re = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1] === '-') text = text.replace(/\s+$/, '');
    tokens.push({ text });
    tokens.push({ action: m[2] ?? '' });
    trimNext = m[3] === '-';
    last = re.lastIndex;
  }
  let tail = src.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  tokens.push({ text: tail });
  return tokens;
}

function value(expr: string, data: TemplateData): string {
  const m = /^\.(Vars|Ports)\.(\w+)$/.exec(expr.trim());
  if (!m) throw new Error(`unsupported template expression ${expr}`);
  return (m[1] === 'Vars' ? data.Vars : data.Ports)[m[2] ?? ''] ?? '';
}

function condition(expr: string, data: TemplateData): boolean {
  const cmp = /^(eq|ne)\s+(\S+)\s+"([^"]*)"$/.exec(expr);
  if (cmp) return (value(cmp[2] ?? '', data) === cmp[3]) === (cmp[1] === 'eq');
  return value(expr, data) !== '';
}

export function renderGoTemplate(src: string, data: TemplateData): string {
  // stack of [any branch taken so far, current branch active]
  const stack: { taken: boolean; active: boolean }[] = [];
  const emitting = () => stack.every((s) => s.active);
  let out = '';
  for (const t of tokenize(src)) {
    if ('text' in t) {
      if (emitting()) out += t.text;
      continue;
    }
    const a = t.action;
    const top = stack[stack.length - 1];
    if (a.startsWith('if ')) {
      const c = condition(a.slice(3), data);
      stack.push({ taken: c, active: c });
    } else if (a.startsWith('else if ') && top) {
      const c = !top.taken && condition(a.slice(8), data);
      top.active = c;
      top.taken ||= c;
    } else if (a === 'else' && top) {
      top.active = !top.taken;
      top.taken = true;
    } else if (a === 'end') {
      stack.pop();
    } else if (emitting()) {
      out += value(a, data);
    }
  }
  return out;
}
