// One workflow: its YAML at the served commit with each problem under its line, and a form that
// starts a run with its params (for those whose role may start runs).
import * as api from '../api.js';
import { h, field, replace, problemBox } from '../dom.js';
import { yamlView } from '../views/yaml.js';

export async function render(main, [name], context) {
  const w = await api.get(`/workflows/${api.enc(name)}`);
  const out = h('div', { id: 'start-result' });
  replace(main,
    h('h1', {}, `Workflow ${w.name}`),
    h('p', { class: 'muted' }, h('span', { class: 'mono' }, w.file), ' at ', h('span', { class: 'mono' }, w.revision),
      ' · ', h('a', { href: `#/runs?workflow=${api.enc(w.name)}` }, 'its runs')),
    context.me?.may?.start ? startForm(w, out) : h('p', { class: 'muted' }, 'Your role may not start runs.'),
    out,
    h('h2', {}, w.valid ? 'Definition' : `Definition (${w.problems.length} problem${w.problems.length === 1 ? '' : 's'})`),
    yamlView(w.yaml, w.problems));
}

function startForm(w, out) {
  const fields = w.params.map(p => {
    const id = `param-${p.name}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const input = p.enum?.length
      ? h('select', { id, name: p.name }, p.enum.map(v => h('option', { value: v, selected: v === p.default }, v)))
      : h('input', { id, name: p.name, type: 'text', value: p.default ?? '', required: p.default === null || p.default === undefined });
    return field(p.description ? `${p.name} — ${p.description}` : p.name, input);
  });
  const revision = h('input', { id: 'start-revision', name: 'revision', type: 'text', placeholder: 'the configured branch' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'start-run', disabled: !w.valid }, 'Start run');
  const form = h('form', { class: 'panel', 'aria-labelledby': 'start-title' },
    h('h2', { id: 'start-title' }, 'Start a run'),
    h('div', { class: 'filters' }, fields, field('Revision (branch, tag or SHA)', revision)),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const params = {};
    for (const p of w.params) params[p.name] = form.elements[p.name].value;
    try {
      const links = await api.post(`/workflows/${api.enc(w.name)}/runs`, { params, revision: revision.value.trim() || undefined });
      location.hash = `#/runs/${api.enc(links.id)}`;
    } catch (e) {
      replace(out, problemBox(e));
      submit.disabled = false;
    }
  });
  return form;
}
