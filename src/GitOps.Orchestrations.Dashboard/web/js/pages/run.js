// One run, live: its DAG coloured by phase from the event stream (resumed with Last-Event-ID after
// a drop), the selected node's details, its waiting gates, its rollouts, and the controls the
// caller's role allows.
import * as api from '../api.js';
import { h, field, replace, phase, when, duration, facts, json, problemBox, notice, announce } from '../dom.js';
import { drawDag } from '../views/dag.js';
import { gateCard } from '../views/gates.js';
import { rolloutPanel } from '../views/rollouts.js';

const terminal = ['Succeeded', 'Failed', 'Errored', 'Terminated'];
const rolloutRefreshMs = 2000;

export async function render(main, [id], context) {
  const me = context.me;
  const path = `/runs/${api.enc(id)}`;
  let [run, graph] = await Promise.all([api.get(path), api.get(`${path}/graph`)]);
  const nodes = new Map(run.nodes.map(n => [n.name, n]));
  let selected = null;
  let stopped = false;
  // Gates and rollouts are redrawn only when they changed, so a comment being typed or a chart being read stays put.
  let gatesSeen = '';
  let rolloutsSeen = '';

  const title = h('h1', {}, `Run ${run.id} `, h('span', { id: 'run-phase' }, phase(run.phase, run.suspended ? '(suspended)' : '')));
  const summary = h('div', { class: 'panel', id: 'run-facts' });
  const streamState = h('p', { id: 'stream-state', class: 'muted', 'data-last-event-id': run.seq, 'data-connects': 0 }, 'Connecting to live updates…');
  const controls = h('div', { id: 'run-controls' });
  const dagBox = h('div', { class: 'dag', id: 'dag' });
  const detail = h('aside', { class: 'panel', id: 'node-detail', 'aria-live': 'polite', 'aria-label': 'Selected node' }, h('p', { class: 'muted' }, 'Select a node to see its details.'));
  const gates = h('section', { id: 'gates', 'aria-labelledby': 'gates-title' });
  const decided = h('div', { id: 'decision-notice' });
  const showDecided = text => replace(decided, notice(text));
  const rollouts = h('section', { id: 'rollouts', 'aria-labelledby': 'rollouts-title' });
  const tableBody = h('tbody', { id: 'node-rows' });
  const feed = h('ol', { id: 'changes', class: 'changes mono', 'aria-label': 'Changes as they arrived' });
  const rows = new Map();
  replace(main, title, summary, streamState, controls,
    h('div', { class: 'run-layout' }, h('div', {}, h('h2', {}, 'Graph'), legend(), dagBox), detail),
    decided, gates, rollouts,
    h('details', { class: 'panel' }, h('summary', {}, 'Changes received live'), feed),
    h('h2', {}, 'Nodes'),
    h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Nodes of this run' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Node'), h('th', { scope: 'col' }, 'Phase'), h('th', { scope: 'col', class: 'optional' }, 'Attempts'), h('th', { scope: 'col' }, 'Message'))),
      tableBody)));

  const dag = drawDag(dagBox, graph.nodes, select);
  // Nodes not in the picture (a nested workflow's steps) still get a row.
  // A node the live status left out (a large run's) is not known to be pending: it is drawn as unknown until it is heard of.
  const unheard = run.complete === false && !terminal.includes(run.phase) ? 'Unknown' : 'Pending';
  for (const n of graph.nodes) updateNode(nodes.get(n.name) ?? { name: n.name, phase: unheard, attempts: 0 });
  for (const n of run.nodes) updateNode(n);
  dag.setWaiting(run.waiting ?? []);
  renderFacts();
  renderControls();
  refreshGates();
  const hasRollouts = graph.nodes.some(n => n.uses === 'rollout');
  if (hasRollouts) refreshRollouts();
  const rolloutTimer = hasRollouts ? setInterval(() => { if (!terminal.includes(run.phase)) refreshRollouts(); }, rolloutRefreshMs) : null;
  const partial = h('p', { class: 'muted', id: 'partial-note', hidden: run.complete !== false || terminal.includes(run.phase) },
    'While the run is going, its published status leaves some nodes or outputs out; they appear when it ends.');
  streamState.after(partial);

  const stream = terminal.includes(run.phase) ? null : api.followEvents(`${path}/events`, {
    lastEventId: run.seq,
    onEvent(type, data, lastId) {
      streamState.dataset.lastEventId = lastId;
      record(lastId, type === 'node' ? `${data.node.name} ${data.node.phase}` : `run ${data.phase}`);
      if (type === 'node') {
        nodes.set(data.node.name, data.node);
        updateNode(data.node);
        if (selected === data.node.name) renderDetail();
        queueGates();
      } else if (type === 'run') {
        run = { ...run, phase: data.phase, suspended: data.suspended, message: data.message, waiting: data.waiting, waitingForLock: data.waitingForLock };
        replace(document.getElementById('run-phase'), phase(run.phase, run.suspended ? '(suspended)' : ''));
        dag.setWaiting(data.waiting ?? []);
        renderFacts();
        renderControls();
        queueGates();
        if (terminal.includes(data.phase)) finish();
      }
    },
    onState(change) {
      streamState.dataset.connects = Number(streamState.dataset.connects) + (change.state === 'open' || change.state === 'resumed' ? 1 : 0);
      streamState.dataset.state = change.state;
      if (change.state === 'resumed') streamState.dataset.resumedAfter = change.after;
      const text = {
        open: 'Live: following changes as they happen.',
        resumed: `Live again: resumed after change ${change.after}.`,
        reconnecting: `Connection lost after change ${change.after}; reconnecting…`,
        ended: 'The run has ended.',
        refused: `Live updates refused: ${change.problem?.detail ?? ''}`,
      }[change.state];
      streamState.textContent = text ?? change.state;
    },
  });
  if (!stream) streamState.textContent = 'The run has ended.';

  async function finish() {
    // The final status has every node and output, which the live summary may have left out.
    try {
      run = await api.get(path);
      partial.hidden = true;
      for (const n of run.nodes) { nodes.set(n.name, n); updateNode(n); }
      dag.setWaiting([]);
      renderFacts();
      renderControls();
      if (selected) renderDetail();
      if (hasRollouts) refreshRollouts();
      announce(`Run ${run.id} ended ${run.phase}`);
    } catch { /* the stream already said how it ended */ }
  }

  // The latest changes, by change number, as the stream delivered them: what a resumed stream made up for is visible here.
  function record(id, text) {
    feed.append(h('li', { 'data-change': id }, `${id} ${text}`));
    while (feed.childElementCount > 200) feed.firstElementChild.remove();
  }

  function updateNode(n) {
    dag.update(n);
    let row = rows.get(n.name);
    if (!row) {
      row = h('tr', { 'data-node': n.name });
      rows.set(n.name, row);
      tableBody.append(row);
    }
    replace(row,
      h('td', {}, h('button', { type: 'button', class: 'link mono', onclick: () => select(n.name) }, n.name)),
      h('td', {}, phase(n.phase)),
      h('td', { class: 'optional' }, String(n.attempts ?? 0)),
      h('td', {}, n.message ?? ''));
  }

  function select(name) {
    selected = name;
    dag.select(name);
    renderDetail();
  }

  // A sync's policy violations as a table: what broke which rule, where, and whether it stopped the sync.
  function violations(outputs) {
    const list = Array.isArray(outputs?.violations) ? outputs.violations : [];
    if (!list.length) return null;
    const more = outputs.violationsOmitted ? ` (and ${outputs.violationsOmitted} more)` : '';
    return [
      h('h3', {}, `Policy violations${more}`),
      h('table', { id: 'violations' },
        h('thead', {}, h('tr', {}, ...['Object', 'Policy', 'Rule', 'Action', 'Field', 'Message'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...list.map(v => h('tr', { 'data-action': v.action },
          h('td', { class: 'mono' }, v.object), h('td', {}, v.policy), h('td', {}, v.rule), h('td', {}, v.action),
          h('td', { class: 'mono' }, v.path), h('td', {}, v.message))))),
    ];
  }

  function renderDetail() {
    const n = nodes.get(selected) ?? { name: selected, phase: 'Pending', attempts: 0 };
    const spec = graph.nodes.find(g => g.name === selected);
    const took = n.startedAt && n.finishedAt ? duration(new Date(n.finishedAt) - new Date(n.startedAt)) : '';
    replace(detail,
      h('h2', { id: 'node-title' }, n.name),
      facts([
        ['Phase', phase(n.phase)],
        ['Uses', spec?.uses],
        ['Depends', spec?.condition ?? (spec?.depends?.length ? spec.depends.join(', ') : null)],
        ['Attempts', String(n.attempts ?? 0)],
        ['Started', when(n.startedAt)],
        ['Finished', when(n.finishedAt)],
        ['Took', took],
        ['Items', n.items ? `${n.items.succeeded} succeeded, ${n.items.failed} failed, ${n.items.errored} errored, ${n.items.skipped} skipped of ${n.items.total}` : null],
        ['Message', n.message],
      ]),
      n.inputs && Object.keys(n.inputs).length ? [h('h3', {}, 'Inputs (after templating)'), json(n.inputs)] : null,
      violations(n.outputs),
      n.outputs && Object.keys(n.outputs).length ? [h('h3', {}, 'Outputs'), json(n.outputs)] : null,
      n.approvals?.length ? [h('h3', {}, 'Approval records'), h('ul', {}, n.approvals.map(a => h('li', {}, `${a.decision} by ${a.by} at ${when(a.at)}`, a.comment ? `: ${a.comment}` : '')))] : null);
  }

  function renderFacts() {
    replace(summary, facts([
      ['Workflow', h('a', { href: `#/workflows/${api.enc(run.workflow)}` }, run.workflow)],
      ['Phase', phase(run.phase, run.suspended ? '(suspended)' : '')],
      ['Revision', h('span', { class: 'mono' }, run.revision)],
      ['Started by', run.startedBy],
      ['Trigger', run.trigger],
      ['Retry of', run.retryOf ? h('a', { href: `#/runs/${api.enc(run.retryOf)}` }, run.retryOf) : null],
      ['Created', when(run.createdAt)],
      ['Params', Object.keys(run.params ?? {}).length ? h('span', { class: 'mono' }, Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join('  ')) : null],
      ['Message', run.message],
      ['Waiting for', lockWait(run.waitingForLock)],
    ]));
  }

  // A Pending run waiting its turn for a mutex or semaphore: which, who holds it, and its place in line.
  function lockWait(wait) {
    if (!wait || terminal.includes(run.phase)) return null;
    const lock = wait.lock.kind === 'Mutex' ? `mutex ${wait.lock.name}` : `semaphore ${wait.lock.name} (${wait.lock.limit})`;
    const held = wait.heldBy?.length ? [', held by ', ...wait.heldBy.flatMap((id, i) => [i ? ', ' : '', h('a', { href: `#/runs/${api.enc(id)}` }, id)])] : [];
    return h('span', { id: 'lock-wait' }, lock, ...held, wait.position ? `; place in line: ${wait.position}` : '');
  }

  function renderControls() {
    if (!me?.may?.control) { replace(controls); return; }
    const out = h('div');
    const reason = h('input', { id: 'control-reason', type: 'text', maxlength: 2000 });
    const act = (action, body = {}) => async () => {
      try {
        const answer = await api.post(`${path}/${action}`, { reason: reason.value || undefined, ...body });
        if (action === 'retry' && answer?.id) { location.hash = `#/runs/${api.enc(answer.id)}`; return; }
        replace(out, notice(`${action} sent.`));
      } catch (e) { replace(out, problemBox(e)); }
    };
    const buttons = [];
    if (!terminal.includes(run.phase)) {
      if (run.suspended) buttons.push(h('button', { type: 'button', id: 'resume', onclick: act('resume') }, 'Resume'));
      else buttons.push(h('button', { type: 'button', id: 'suspend', onclick: act('suspend') }, 'Suspend'));
      buttons.push(h('button', { type: 'button', id: 'terminate', class: 'danger', onclick: act('terminate') }, 'Terminate'));
    } else if (run.phase !== 'Succeeded') {
      buttons.push(h('button', { type: 'button', id: 'retry', onclick: act('retry') }, 'Retry'));
    }
    replace(controls, buttons.length ? h('div', { class: 'actions', role: 'group', 'aria-label': 'Run controls' }, field('Reason', reason), buttons) : null, out);
  }

  // A gate that starts waiting changes a node, not the run, so every change asks again which gates
  // wait (one request per burst of events).
  let gatesQueued = false;
  function queueGates() {
    if (gatesQueued) return;
    gatesQueued = true;
    setTimeout(() => { gatesQueued = false; refreshGates(); }, 50);
  }

  async function refreshGates() {
    if (stopped) return;
    if (terminal.includes(run.phase)) { dag.setWaiting([]); replace(gates); gatesSeen = ''; return; }
    try {
      const pending = await api.get(`/approvals${api.query({ run: run.id })}`);
      dag.setWaiting(pending.map(g => g.node));
      const seen = JSON.stringify(pending);
      if (seen === gatesSeen) return;
      gatesSeen = seen;
      replace(gates, pending.length ? [h('h2', { id: 'gates-title' }, 'Waiting gates'), pending.map(g => gateCard(g, { onDecided: showDecided }))] : null);
    } catch (e) { replace(gates, h('h2', { id: 'gates-title' }, 'Waiting gates'), problemBox(e)); }
  }

  async function refreshRollouts() {
    if (stopped) return;
    try {
      const views = await api.get(`${path}/rollouts`);
      const seen = JSON.stringify(views);
      if (seen === rolloutsSeen) return;
      rolloutsSeen = seen;
      replace(rollouts, views.length ? [h('h2', { id: 'rollouts-title' }, 'Rollouts'), views.map(v => rolloutPanel(v, { runId: run.id, me, onChanged: refreshRollouts }))] : null);
    } catch (e) { replace(rollouts, h('h2', { id: 'rollouts-title' }, 'Rollouts'), problemBox(e)); }
  }

  return () => { stopped = true; stream?.close(); if (rolloutTimer) clearInterval(rolloutTimer); };
}

function legend() {
  return h('div', { class: 'legend', 'aria-hidden': 'true' },
    ['Pending', 'Running', 'Waiting', 'Succeeded', 'Failed', 'Errored', 'Skipped'].map(p => phase(p)));
}
