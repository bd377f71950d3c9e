// The catalog at the served revision: every workflow, whether it is valid, and the files that
// did not load at all.
import * as api from '../api.js';
import { h, replace } from '../dom.js';

export async function render(main) {
  const list = await api.get('/workflows');
  replace(main,
    h('h1', {}, 'Workflows'),
    h('p', { class: 'muted' }, 'At ', h('span', { class: 'mono', id: 'catalog-revision' }, list.revision), ' of ', list.source),
    list.errors?.length ? h('div', { class: 'problem', role: 'alert' }, h('strong', {}, 'Files that did not load'), h('ul', {}, list.errors.map(e => h('li', { class: 'mono' }, e)))) : null,
    h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Workflows' },
      h('thead', {}, h('tr', {}, ['Workflow', 'File', 'Valid', 'Params', 'Schedules'].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.workflows.map(w => h('tr', { 'data-workflow': w.name },
        h('td', {}, h('a', { href: `#/workflows/${api.enc(w.name)}` }, w.name)),
        h('td', { class: 'mono' }, w.file),
        h('td', {}, w.valid ? 'valid' : `${w.errors.length} problem${w.errors.length === 1 ? '' : 's'}`),
        h('td', {}, w.params.map(p => p.name).join(', ')),
        h('td', {}, w.schedules.map(s => s.cron).join('; '))))))));
}
