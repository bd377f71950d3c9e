// Runs, newest pages first as the backend hands them out: filters, continuation-token paging,
// and the page in view refreshed every few seconds while the tab is visible.
import * as api from '../api.js';
import { h, field, replace, phase, when, problemBox } from '../dom.js';

const phases = ['Pending', 'Running', 'Succeeded', 'Failed', 'Errored', 'Terminated'];
const refreshMs = 5000;
const pageSize = 50;
// At most this many backend pages are read to fill one page of filtered runs.
const maxFetches = 20;

export async function render(main) {
  const url = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const state = { tokens: [null], page: 0 };
  const workflow = h('select', { id: 'filter-workflow', name: 'workflow' }, h('option', { value: '' }, 'any'));
  const phaseSelect = h('select', { id: 'filter-phase', name: 'phase' }, h('option', { value: '' }, 'any'), phases.map(p => h('option', { value: p }, p)));
  const startedBy = h('input', { id: 'filter-started-by', name: 'startedBy', type: 'text', value: url.get('startedBy') ?? '' });
  const from = h('input', { id: 'filter-from', name: 'createdFrom', type: 'datetime-local' });
  const to = h('input', { id: 'filter-to', name: 'createdTo', type: 'datetime-local' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    field('Workflow', workflow),
    field('Phase', phaseSelect),
    field('Started by', startedBy),
    field('Created from', from),
    field('Created to', to),
    h('button', { type: 'submit' }, 'Apply'));
  const body = h('tbody', { id: 'runs-body' });
  const table = h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Runs' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Run'), h('th', { scope: 'col' }, 'Workflow'), h('th', { scope: 'col' }, 'Phase'),
      h('th', { scope: 'col', class: 'optional' }, 'Started by'), h('th', { scope: 'col', class: 'optional' }, 'Created'),
      h('th', { scope: 'col', class: 'optional' }, 'Nodes'), h('th', { scope: 'col' }, 'Waiting'))),
    body));
  const previous = h('button', { type: 'button', id: 'runs-previous' }, 'Previous page');
  const next = h('button', { type: 'button', id: 'runs-next' }, 'Next page');
  const pageLabel = h('span', { id: 'runs-page', class: 'muted' });
  const out = h('div');
  replace(main, h('h1', {}, 'Runs'), form, out, table, h('nav', { class: 'pager', 'aria-label': 'Pages of runs' }, previous, pageLabel, next));

  api.get('/workflows').then(list => {
    for (const w of list.workflows) workflow.append(h('option', { value: w.name }, w.name));
    workflow.value = url.get('workflow') ?? '';
  }).catch(() => { /* the filter still takes any name typed into the URL */ });

  const filters = () => ({
    workflow: workflow.value,
    phase: phaseSelect.value,
    startedBy: startedBy.value.trim(),
    createdFrom: from.value ? new Date(from.value).toISOString() : '',
    createdTo: to.value ? new Date(to.value).toISOString() : '',
  });

  let loading = false;
  async function load() {
    if (loading) return;
    loading = true;
    try {
      // Filters apply within each backend page, so a page is filled by following the token,
      // asking each time for only as many as are missing (a token resumes after a whole page).
      const runs = [];
      let token = state.tokens[state.page];
      for (let asked = 0; asked < maxFetches && runs.length < pageSize; asked++) {
        const page = await api.get('/runs' + api.query({ ...filters(), top: pageSize - runs.length, continuationToken: token }));
        runs.push(...page.runs);
        token = page.continuationToken ?? null;
        if (!token) break;
      }
      state.tokens[state.page + 1] = token ?? undefined;
      replace(out);
      replace(body, runs.length === 0
        ? h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No runs on this page.'))
        : runs.map(row));
      previous.disabled = state.page === 0;
      next.disabled = !token;
      pageLabel.textContent = `Page ${state.page + 1}`;
    } catch (e) {
      replace(out, problemBox(e));
    } finally {
      loading = false;
    }
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); state.tokens = [null]; state.page = 0; load(); });
  next.addEventListener('click', () => { if (state.tokens[state.page + 1]) { state.page++; load(); } });
  previous.addEventListener('click', () => { if (state.page > 0) { state.page--; load(); } });

  await load();
  const timer = setInterval(() => { if (document.visibilityState === 'visible') load(); }, refreshMs);
  return () => clearInterval(timer);
}

function row(run) {
  const counts = Object.entries(run.counts ?? {}).map(([p, n]) => `${n} ${p.toLowerCase()}`).join(', ');
  return h('tr', { 'data-run': run.id },
    h('td', {}, h('a', { href: `#/runs/${api.enc(run.id)}`, class: 'mono' }, run.id)),
    h('td', {}, run.workflow),
    h('td', {}, phase(run.phase, run.suspended ? '(suspended)' : '')),
    h('td', { class: 'optional' }, run.startedBy ?? ''),
    h('td', { class: 'optional' }, when(run.createdAt)),
    h('td', { class: 'optional' }, counts),
    h('td', {}, run.waitingForLock ? `${run.waitingForLock.kind.toLowerCase()} ${run.waitingForLock.name}` : (run.waiting ?? []).join(', ')));
}
