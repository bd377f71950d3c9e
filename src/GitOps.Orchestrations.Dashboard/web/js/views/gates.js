// A waiting gate: its policy, the decisions so far, and, only for someone the API would take a
// decision from (GET /api/approvals answers mayDecide per caller), the approve and reject form.
// A recorded decision is confirmed through onDecided(text) into a notice the page keeps: the card
// itself goes away as soon as the gate stops waiting, often before the reader has seen it.
import * as api from '../api.js';
import { h, replace, when, problemBox, notice, announce } from '../dom.js';

export function gateCard(gate, { onDecided, showRun = false } = {}) {
  const policy = gate.policy ?? {};
  const approvers = policy.approvers?.length ? policy.approvers.join(', ') : 'anyone with the approver role';
  const out = h('div', { class: 'gate-result' });
  const id = `gate-${gate.runId}-${gate.node}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const card = h('section', { class: 'panel gate', 'data-gate': gate.node, 'data-run': gate.runId, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title` }, showRun ? [h('a', { href: `#/runs/${api.enc(gate.runId)}` }, gate.runId), ' · '] : null, `Gate ${gate.node}`),
    gate.message ? h('p', {}, gate.message) : null,
    h('p', { class: 'muted' },
      `Approvers: ${approvers}. Quorum ${policy.quorum ?? 1}; ${gate.approvedBy?.length ?? 0} so far.`,
      policy.allowSelfApproval ? ' The starter may approve.' : ' The starter may not approve.',
      ` Waiting since ${when(gate.waitingSince)}; on ${when(gate.deadline)} it will ${gate.onTimeout}.`),
    gate.decisions?.length
      ? h('ul', { class: 'decisions', 'aria-label': 'Decisions so far' }, gate.decisions.map(d => h('li', {}, `${d.decision} by ${d.by} at ${when(d.at)}`, d.comment ? `: ${d.comment}` : '')))
      : null,
    gate.mayDecide ? decisionForm(gate, out, onDecided) : h('p', { class: 'muted cannot-decide' }, `You cannot decide this gate: ${gate.refusal ?? 'not allowed'}.`),
    out);
  return card;
}

function decisionForm(gate, out, onDecided) {
  const id = `comment-${gate.runId}-${gate.node}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const comment = h('textarea', { id, name: 'comment', maxlength: 2000 });
  const approve = h('button', { type: 'button', class: 'primary approve', 'data-decision': 'approve' }, 'Approve');
  const reject = h('button', { type: 'button', class: 'danger reject', 'data-decision': 'reject' }, 'Reject');
  async function decide(decision) {
    approve.disabled = reject.disabled = true;
    try {
      await api.post(`/runs/${api.enc(gate.runId)}/approvals/${api.enc(gate.node)}`, { decision, comment: comment.value || undefined });
      const text = `Your ${decision === 'approve' ? 'approval' : 'rejection'} of ${gate.node}${gate.runId ? ` in ${gate.runId}` : ''} was recorded.`;
      replace(out);
      announce(`${decision} recorded for ${gate.node}`);
      if (onDecided) onDecided(text); else replace(out, notice(text));
    } catch (e) {
      // The API's refusal is the answer: shown as it was given, never retried or hidden.
      replace(out, problemBox(e));
      approve.disabled = reject.disabled = false;
    }
  }
  approve.addEventListener('click', () => decide('approve'));
  reject.addEventListener('click', () => decide('reject'));
  return h('div', { class: 'decide' }, h('label', { for: id }, 'Comment (kept in the audit log)'), comment, h('div', { class: 'actions' }, approve, reject));
}
