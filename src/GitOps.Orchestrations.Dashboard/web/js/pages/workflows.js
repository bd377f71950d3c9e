// The catalog at the served revision: every workflow, whether it is valid, and the files that
// did not load at all.
import * as api from '../api.js';
import { h, replace } from '../dom.js';

export async function render(main) {
  const list = await api.get('/workflows');
  replace(main,
    h('h1', {}, 'Workflows'),
    h('p', { class: 'muted' }, 'At ', h('span', { class: 'mono', id: 'catalog-revision' }, list.revision), ' of ', list.source),
    list.errors?.length ? h('div', { class: 'problem', role: 'alert', id: 'file-errors' }, h('strong', {}, 'Files that did not load'), h('ul', {}, list.errors.map(fileError))) : null,
    h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Workflows' },
      h('thead', {}, h('tr', {}, ['Workflow', 'File', 'Valid', 'Params', 'Schedules'].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.workflows.map(w => h('tr', { 'data-workflow': w.name },
        h('td', {}, h('a', { href: `#/workflows/${api.enc(w.name)}` }, w.name)),
        h('td', { class: 'mono' }, w.file),
        h('td', {}, w.valid ? 'valid' : `${w.errors.length} problem${w.errors.length === 1 ? '' : 's'}`),
        h('td', {}, w.params.map(p => p.name).join(', ')),
        h('td', {}, w.schedules.map(s => s.cron).join('; '))))))));
}

// "file:line:col: error: message", linked to the file's page.
function fileError(text) {
  const m = /^(.*?):(\d+):(\d+): /.exec(text);
  return h('li', { class: 'mono' }, m ? [h('a', { href: `#/files/${api.enc(m[1])}` }, m[1]), text.slice(m[1].length)] : text);
}
