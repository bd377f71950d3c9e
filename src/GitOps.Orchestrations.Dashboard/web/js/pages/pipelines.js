// The pipelines of the branch, with the freight each stage runs now.
import * as api from '../api.js';
import { h, replace } from '../dom.js';

export async function render(main) {
  const list = await api.get('/pipelines');
  replace(main, h('h1', {}, 'Pipelines'),
    list.length === 0 ? h('p', { class: 'muted' }, 'No pipeline is defined on this branch.') :
      h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Pipelines' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Pipeline'), h('th', { scope: 'col' }, 'Stages (freight now)'))),
        h('tbody', {}, list.map(p => h('tr', {},
          h('td', {}, h('a', { href: `#/pipelines/${api.enc(p.name)}` }, p.name)),
          h('td', {}, p.stages.map(s => `${s} (${p.status?.stages?.[s]?.current ?? '—'})`).join(' → '))))))));
}
