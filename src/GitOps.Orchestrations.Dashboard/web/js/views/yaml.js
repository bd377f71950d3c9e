// A file's YAML with line numbers, each problem shown under the line it names.
import { h } from '../dom.js';

export function yamlView(text, problems) {
  const byLine = new Map();
  for (const p of problems) { if (!byLine.has(p.line)) byLine.set(p.line, []); byLine.get(p.line).push(p); }
  const lines = text.split(/\r?\n/);
  const view = h('div', { class: 'yaml mono', role: 'table', 'aria-label': 'Workflow file' });
  lines.forEach((line, i) => {
    const n = i + 1;
    const bad = byLine.has(n);
    view.append(h('span', { class: 'ln', role: 'rowheader' }, String(n)), h('span', { class: ['tx', bad && 'bad'], role: 'cell' }, line || ' '));
    for (const p of byLine.get(n) ?? []) view.append(h('span', { class: 'ln' }, ''), h('span', { class: 'msg', role: 'note', 'data-line': n }, `${n}:${p.column}: ${p.message}`));
  });
  // A problem past the last line (an unexpected end) is still shown.
  for (const [n, list] of byLine) if (n > lines.length) for (const p of list) view.append(h('span', { class: 'ln' }, ''), h('span', { class: 'msg', role: 'note', 'data-line': n }, `${n}:${p.column}: ${p.message}`));
  return view;
}
