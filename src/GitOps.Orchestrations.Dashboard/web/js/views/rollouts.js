// A rollout as Argo Rollouts' dashboard shows one: the steps with the current one marked, the
// weight asked for and the weight the cluster reports, why it is paused, and every analysis with
// its measurements plotted. Promote, promote-full and abort while it runs; retry once aborted.
import * as api from '../api.js';
import { h, replace, phase, when, facts, problemBox, notice } from '../dom.js';
import { metricChart } from './chart.js';

const stepKinds = ['setWeight', 'pause', 'analysis', 'approval', 'setCanaryScale'];

export function describeStep(step) {
  switch (stepKinds[step.kind] ?? step.kind) {
    case 'setWeight': return `set weight ${step.weight}%`;
    case 'pause': return step.duration ? `pause ${step.duration}` : 'pause until promoted';
    case 'analysis': return `analysis ${(step.analysis?.templates ?? []).join(', ')}`;
    case 'approval': return `approval${step.approval?.approvers?.length ? ` by ${step.approval.approvers.join(', ')}` : ''}`;
    case 'setCanaryScale': return `canary scale ${JSON.stringify(step.scale)}`;
    default: return JSON.stringify(step);
  }
}

/** The weight the steps ask for at the current step: the last setWeight reached; 100 once every step is done. */
export function desiredWeight(steps, current) {
  if (!steps) return null;
  if (current >= steps.length) return 100;
  let weight = 0;
  for (let i = 0; i <= current && i < steps.length; i++) if (stepKinds[steps[i].kind] === 'setWeight') weight = steps[i].weight;
  return weight;
}

export function rolloutPanel(view, { runId, me, onChanged }) {
  const st = view.status;
  const out = h('div');
  const panel = h('section', { class: 'panel rollout', 'data-rollout': view.node, 'aria-labelledby': `rollout-${view.node}` },
    h('h3', { id: `rollout-${view.node}` }, `Rollout ${st?.rollout ?? view.node} `, st ? phase(st.phase) : phase(view.nodePhase)));
  if (!st) { panel.append(h('p', { class: 'muted' }, 'No status published yet.')); return panel; }

  const desired = st.strategy === 'canary' ? desiredWeight(view.steps, st.currentStep) : null;
  panel.append(facts([
    ['Strategy', st.strategy],
    ['Step', st.strategy === 'canary' ? `${Math.min(st.currentStep + 1, st.steps)} of ${st.steps}${st.stepDescription ? ` (${st.stepDescription})` : ''}` : st.stepDescription],
    ['Desired weight', desired === null ? null : h('span', { class: 'desired-weight' }, `${desired}%`)],
    ['Weight read back', h('span', { class: 'read-weight' }, `${st.weight}%`)],
    ['Image', st.image],
    ['Stable image', st.stableImage],
    ['Paused because', st.pauseReason],
    ['Message', st.message],
    ['Updated', when(st.updatedAt)],
  ]));

  if (view.steps?.length) {
    panel.append(h('h4', {}, 'Steps'), h('ol', { class: 'steps' }, view.steps.map((step, i) =>
      h('li', { class: i < st.currentStep ? 'done' : i === st.currentStep ? 'current' : '', 'aria-current': i === st.currentStep ? 'step' : null }, describeStep(step)))));
  }

  for (const analysis of st.analyses ?? []) {
    const byMetric = new Map();
    for (const m of analysis.measurements) { if (!byMetric.has(m.metric)) byMetric.set(m.metric, []); byMetric.get(m.metric).push(m); }
    const section = h('div', { class: 'analysis', 'data-analysis': analysis.name }, h('h4', {}, `Analysis ${analysis.name} `, phase(analysis.phase)));
    for (const [metric, measurements] of byMetric) {
      const conditions = view.conditions?.find(c => c.metric === metric);
      section.append(metricChart(metric, measurements, conditions, Math.min(720, (document.getElementById('main')?.clientWidth ?? 800) - 80)));
      if (conditions) section.append(h('p', { class: 'muted mono' }, `success: ${conditions.successCondition ?? '—'} · failure: ${conditions.failureCondition ?? '—'}`));
    }
    panel.append(section);
  }

  if (me?.may?.control) {
    const act = (action, body) => async () => {
      try {
        await api.post(`/runs/${api.enc(runId)}/rollouts/${api.enc(view.node)}/${action}`, body);
        replace(out, notice(`${action}${body?.full ? ' (full)' : ''} sent to ${view.node}.`));
        onChanged?.();
      } catch (e) { replace(out, problemBox(e)); }
    };
    const buttons = view.running
      ? [h('button', { type: 'button', onclick: act('promote', {}) }, 'Promote'),
        h('button', { type: 'button', onclick: act('promote', { full: true }) }, 'Promote full'),
        h('button', { type: 'button', class: 'danger', onclick: act('abort', {}) }, 'Abort')]
      : st.phase === 'Degraded' ? [h('button', { type: 'button', onclick: act('retry', {}) }, 'Retry')] : [];
    if (buttons.length) panel.append(h('div', { class: 'actions' }, buttons));
  }
  panel.append(out);
  return panel;
}
