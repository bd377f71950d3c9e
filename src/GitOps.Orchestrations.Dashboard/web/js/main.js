// The dashboard's shell: who is signed in, the navigation, and a hash router that gives each page
// the main element and stops the page it replaces (its timers and event streams).
import * as api from './api.js';
import { h, replace, problemBox } from './dom.js';
import * as signin from './pages/signin.js';
import * as runs from './pages/runs.js';
import * as run from './pages/run.js';
import * as approvals from './pages/approvals.js';
import * as pipelines from './pages/pipelines.js';
import * as pipeline from './pages/pipeline.js';
import * as workflows from './pages/workflows.js';
import * as workflow from './pages/workflow.js';
import * as audit from './pages/audit.js';
import * as file from './pages/file.js';

const routes = [
  [/^#\/signin$/, signin, 'signin'],
  [/^#\/runs\/([^/]+)$/, run, 'runs'],
  [/^#\/(?:runs)?$/, runs, 'runs'],
  [/^$/, runs, 'runs'],
  [/^#\/approvals$/, approvals, 'approvals'],
  [/^#\/pipelines\/([^/]+)$/, pipeline, 'pipelines'],
  [/^#\/pipelines$/, pipelines, 'pipelines'],
  [/^#\/workflows\/([^/]+)$/, workflow, 'workflows'],
  [/^#\/workflows$/, workflows, 'workflows'],
  [/^#\/audit$/, audit, 'audit'],
  [/^#\/files\/(.+)$/, file, 'workflows'],
];

const main = document.getElementById('main');
const context = { me: null, server: null };
let stopPage = null;
// Each navigation and each identity check is numbered: an answer that arrives after a newer one
// started (a slow 401 from before signing in) is dropped instead of undoing it.
let navigation = 0;
let identity = 0;

async function whoAmI() {
  const mine = ++identity;
  let me = null;
  try {
    me = await api.get('/me');
  } catch (e) {
    if (e.status !== 401 && e.status !== 403) throw e;
  }
  if (mine !== identity) return;
  context.me = me;
  const who = document.getElementById('who');
  if (context.me) {
    replace(who,
      h('span', { id: 'who-name' }, `${context.me.user} · ${context.me.role.toLowerCase()}`),
      h('button', { type: 'button', onclick: () => { api.signOut(); context.me = null; location.hash = '#/signin'; } }, 'Sign out'));
    try {
      context.server = await api.get('/server');
      const note = document.getElementById('server');
      note.hidden = context.server.durable;
      replace(note, context.server.durable ? '' : `This server's store is ${context.server.store}: its runs, gates and audit entries end with the process.`);
    } catch { /* the header is a nicety */ }
  } else {
    replace(who);
  }
}

async function route() {
  const mine = ++navigation;
  stopPage?.();
  stopPage = null;
  const hash = location.hash.split('?')[0];
  const [pattern, page, section] = routes.find(([p]) => p.test(hash)) ?? [null, null, null];
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  if (!page) { replace(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/runs' }, 'Back to runs'))); return; }
  if (!context.me && page !== signin) {
    try { await whoAmI(); } catch (e) { if (mine === navigation) replace(main, problemBox(e)); return; }
    if (mine !== navigation) return;
    if (!context.me) { location.replace('#/signin'); return; }
  }
  const params = pattern.exec(hash).slice(1).map(decodeURIComponent);
  // Each page draws into its own element: one still loading after the person moved on draws into a detached one.
  const view = h('div', { class: 'view' });
  replace(main, view);
  try {
    const stop = await page.render(view, params, { ...context, refreshIdentity: whoAmI }) ?? null;
    // A page that finished loading after the person moved on is stopped at once.
    if (mine !== navigation) { stop?.(); return; }
    stopPage = stop;
  } catch (e) {
    if (mine === navigation) replace(view, problemBox(e));
  }
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
route();
