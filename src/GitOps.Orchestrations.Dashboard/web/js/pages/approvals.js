// Every gate waiting across running runs, with the decision form for those the caller may decide.
import * as api from '../api.js';
import { h, replace, problemBox, notice } from '../dom.js';
import { gateCard } from '../views/gates.js';

const refreshMs = 5000;

export async function render(main) {
  const list = h('div', { id: 'approvals-list' });
  const decided = h('div', { id: 'decision-notice' });
  replace(main, h('h1', {}, 'Waiting gates'), decided, list);
  let seen = '';
  async function load() {
    try {
      const pending = await api.get('/approvals');
      const now = JSON.stringify(pending);
      if (now === seen) return;
      seen = now;
      replace(list, pending.length === 0 ? h('p', { class: 'muted' }, 'No gate is waiting.') : pending.map(g => gateCard(g, { showRun: true, onDecided: text => { replace(decided, notice(text)); seen = ''; load(); } })));
    } catch (e) { replace(list, problemBox(e)); }
  }
  await load();
  const timer = setInterval(() => { if (document.visibilityState === 'visible') load(); }, refreshMs);
  return () => clearInterval(timer);
}
