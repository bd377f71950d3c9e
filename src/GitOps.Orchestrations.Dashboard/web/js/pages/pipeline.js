// A pipeline as Kargo shows one: stages × freight, each cell saying whether the stage runs,
// verified or failed that freight, or what it waits for (upstream, soak time left, approvals
// against the quorum, a freeze window), with the freeze windows open now and coming.
import * as api from '../api.js';
import { h, replace, when, duration, timeSpanMs, problemBox, notice } from '../dom.js';

const refreshMs = 5000;
const waitLabels = {
  WaitForUpstream: 'waiting for upstream', Soaking: 'soaking', WaitForApproval: 'waiting for approval',
  Frozen: 'frozen', WaitForRequest: 'waiting for promote', Promote: 'next to promote',
};

export async function render(main, [name], context) {
  const me = context.me;
  const out = h('div', { id: 'pipeline-result' });
  const holder = h('div', { id: 'pipeline-board' });
  replace(main, h('h1', {}, `Pipeline ${name}`), out, holder);
  let seen = '';

  async function load() {
    try {
      const detail = await api.get(`/pipelines/${api.enc(name)}`);
      const now = JSON.stringify(detail);
      if (now === seen) return;
      seen = now;
      replace(holder, board(detail));
    } catch (e) { replace(holder, problemBox(e)); }
  }

  function board(detail) {
    if (!detail.board) return h('p', { class: 'muted' }, 'This pipeline is not defined on the branch any more.');
    const stages = detail.board.stages;
    const freight = [...detail.freight].reverse();
    const cell = (stage, f) => detail.board.cells.find(c => c.stage === stage && c.freight === f);
    return [
      h('p', { class: 'muted' }, `As of ${when(detail.at)}.`),
      h('div', { class: 'table-wrap' }, h('table', { class: 'matrix', 'aria-label': 'Stages by freight' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Freight'), stages.map(s => h('th', { scope: 'col', 'data-stage': s.name }, s.name, h('div', { class: 'muted' }, stageRules(s)))))),
        h('tbody', {}, freight.map(f => h('tr', { 'data-freight': f.id },
          h('th', { scope: 'row' }, h('span', { class: 'mono' }, f.id), h('div', { class: 'muted' }, f.artifacts.map(a => `${a.source} ${a.version}`).join(', '))),
          stages.map(s => cellView(s, cell(s.name, f.id)))))))),
    ];
  }

  function stageRules(s) {
    const parts = [];
    const soak = timeSpanMs(s.requiredSoakTime);
    if (soak > 0) parts.push(`soak ${duration(soak)}`);
    if (s.approval) parts.push(`${s.approval.quorum} approval${s.approval.quorum === 1 ? '' : 's'}`);
    parts.push(s.autoPromote ? 'auto' : 'manual');
    return [parts.join(' · '),
      s.frozenUntil ? h('div', { class: 'frozen', 'data-frozen-until': s.frozenUntil }, `Frozen until ${when(s.frozenUntil)}`) : null,
      !s.frozenUntil && s.nextFreeze ? h('div', { class: 'next-freeze' }, `Next freeze ${when(s.nextFreeze)}`) : null];
  }

  function cellView(stage, c) {
    if (!c) return h('td', { class: 'cell' });
    const quorum = stage.approval?.quorum;
    const lines = [h('div', { class: 'cell-state' }, c.state === 'Waiting' ? waitLabels[c.gate?.state] ?? 'waiting' : c.state.toLowerCase())];
    if (c.verifiedAt) lines.push(h('div', { class: 'muted' }, `verified ${when(c.verifiedAt)}`));
    if (c.gate && c.gate.state !== 'WaitForUpstream' && c.gate.state !== 'WaitForApproval') lines.push(h('div', { class: 'gate-reason' }, c.gate.reason));
    if (quorum && c.state === 'Waiting') lines.push(h('div', { class: 'quorum' }, `${c.approvedBy.length}/${quorum} approvals${c.approvedBy.length ? `: ${c.approvedBy.join(', ')}` : ''}`));
    const actions = [];
    if (c.state === 'Waiting' && c.gate?.state === 'WaitForApproval' && me?.may?.decide) {
      actions.push(h('button', { type: 'button', class: 'primary', onclick: () => act('approvals', { stage: stage.name, freight: c.freight, decision: 'approve' }) }, 'Approve'));
      actions.push(h('button', { type: 'button', class: 'danger', onclick: () => act('approvals', { stage: stage.name, freight: c.freight, decision: 'reject' }) }, 'Reject'));
    }
    if (me?.may?.control && (c.state === 'Verified' || (c.state === 'Waiting' && c.gate?.state !== 'WaitForUpstream'))) {
      actions.push(h('button', { type: 'button', onclick: () => act('promote', { stage: stage.name, freight: c.freight }) }, c.state === 'Verified' ? 'Roll back to this' : 'Promote'));
    }
    return h('td', { class: ['cell', `cell-${c.state}`], 'data-stage': stage.name, 'data-state': c.state, 'data-gate': c.gate?.state ?? null },
      lines, actions.length ? h('div', { class: 'actions' }, actions) : null);
  }

  async function act(kind, body) {
    try {
      await api.post(`/pipelines/${api.enc(name)}/${kind}`, body);
      replace(out, notice(`${body.decision ?? 'promote'} of ${body.freight} for ${body.stage} sent.`));
      seen = '';
      load();
    } catch (e) { replace(out, problemBox(e)); }
  }

  await load();
  const timer = setInterval(() => { if (document.visibilityState === 'visible') load(); }, refreshMs);
  return () => clearInterval(timer);
}
