// The audit log, newest last as the API keeps it, filtered by run on the server and by actor,
// action and outcome here.
import * as api from '../api.js';
import { h, field, replace, when, problemBox } from '../dom.js';

export async function render(main) {
  const run = h('input', { id: 'audit-run', name: 'run', type: 'text' });
  const actor = h('input', { id: 'audit-actor', name: 'actor', type: 'text' });
  const action = h('select', { id: 'audit-action', name: 'action' }, h('option', { value: '' }, 'any'),
    ['start', 'approve', 'reject', 'terminate', 'suspend', 'resume', 'retry', 'promote', 'promote-full', 'abort', 'schedule-skip'].map(a => h('option', { value: a }, a)));
  const outcome = h('select', { id: 'audit-outcome', name: 'outcome' }, h('option', { value: '' }, 'any'), h('option', { value: 'accepted' }, 'accepted'), h('option', { value: 'refused' }, 'refused'));
  const top = h('input', { id: 'audit-top', name: 'top', type: 'number', min: 1, max: 1000, value: 200 });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the audit log' },
    field('Run', run), field('Actor', actor), field('Action', action), field('Outcome', outcome), field('Latest', top),
    h('button', { type: 'submit' }, 'Apply'));
  const body = h('tbody', { id: 'audit-rows' });
  const out = h('div');
  replace(main, h('h1', {}, 'Audit log'), form, out, h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Audit entries' },
    h('thead', {}, h('tr', {}, ['At', 'Actor', 'Action', 'Run', 'Node', 'Outcome', 'Detail'].map(c => h('th', { scope: 'col' }, c)))), body)));

  async function load() {
    try {
      const entries = await api.get('/audit' + api.query({ run: run.value.trim(), top: top.value }));
      const shown = entries.filter(e => (!actor.value || e.actor?.includes(actor.value)) && (!action.value || e.action === action.value) && (!outcome.value || e.outcome === outcome.value));
      replace(out);
      replace(body, shown.length === 0 ? h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No entries.')) : shown.map(e => h('tr', {},
        h('td', {}, when(e.at)), h('td', {}, e.actor), h('td', {}, e.action),
        h('td', {}, e.runId ? h('a', { href: e.runId.startsWith('pipeline-') ? `#/pipelines/${api.enc(e.runId.slice(9))}` : `#/runs/${api.enc(e.runId)}`, class: 'mono' }, e.runId) : ''),
        h('td', {}, e.node ?? ''), h('td', {}, e.outcome), h('td', {}, e.detail ?? ''))));
    } catch (e) { replace(out, problemBox(e)); }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  await load();
}
