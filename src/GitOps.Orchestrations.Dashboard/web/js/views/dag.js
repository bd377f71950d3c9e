// A run's DAG: laid out by dagre (edges from `depends`), drawn as SVG, recoloured in place as
// node events arrive. Fan-outs are one node with their item counts, as the engine reports them.
import dagre from '../../vendor/dagre/dagre.esm.js';
import { s, replace } from '../dom.js';

const nodeWidth = 168;
const nodeHeight = 40;
const maxLabel = 22;

/**
 * Draws graph (GET /api/runs/{id}/graph nodes) into container. onSelect(name) is called when a
 * node is clicked or chosen by keyboard. Returns { update(nodeStatus), setWaiting(names), select(name) }.
 */
export function drawDag(container, graph, onSelect) {
  const g = new dagre.graphlib.Graph();
  // Network simplex gives the tidiest ranks; past a few hundred nodes the longest path is much
  // faster and the picture is a wide fan either way.
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 48, marginx: 12, marginy: 12, ranker: graph.length > 300 ? 'longest-path' : 'network-simplex' });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(graph.map(n => n.name));
  for (const n of graph) g.setNode(n.name, { width: nodeWidth, height: nodeHeight });
  for (const n of graph) for (const d of n.depends) if (names.has(d)) g.setEdge(d, n.name, { conditional: !!n.condition });
  dagre.layout(g);

  const { width = 0, height = 0 } = g.graph();
  const edges = s('g', { class: 'edges' });
  for (const e of g.edges()) {
    const points = g.edge(e).points;
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const conditional = graph.find(n => n.name === e.w)?.condition;
    edges.append(s('path', { class: ['edge', conditional && 'conditional'], d, 'marker-end': 'url(#arrow)' }));
  }

  const nodes = new Map();
  const layer = s('g', { class: 'nodes' });
  for (const n of graph) {
    const { x, y } = g.node(n.name);
    const label = n.name.length > maxLabel ? n.name.slice(0, maxLabel - 1) + '…' : n.name;
    const sub = s('text', { x: 10, y: 32, class: 'sub' }, '');
    const el = s('g', {
      class: ['node', 'Pending'], transform: `translate(${(x - nodeWidth / 2).toFixed(1)},${(y - nodeHeight / 2).toFixed(1)})`,
      tabindex: 0, role: 'button', 'data-node': n.name, 'data-phase': 'Pending', 'aria-label': `${n.name}: Pending`,
    },
      s('title', {}, `${n.name} (${n.uses}${n.fanOut ? ', fan-out' : ''}${n.condition ? `, depends: ${n.condition}` : ''}${n.exit ? ', on exit' : ''})`),
      s('rect', { width: nodeWidth, height: nodeHeight, rx: 6 }),
      s('rect', { class: 'bar', width: 5, height: nodeHeight, rx: 2 }),
      s('text', { x: 10, y: 17 }, label),
      sub);
    el.addEventListener('click', () => onSelect(n.name));
    el.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect(n.name); } });
    layer.append(el);
    nodes.set(n.name, { el, sub, uses: n.uses });
  }

  const svg = s('svg', { width: Math.ceil(width), height: Math.ceil(height), viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, role: 'group', 'aria-label': `DAG of ${graph.length} tasks` },
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#98a2b3' }))),
    edges, layer);
  replace(container, svg);

  let waiting = new Set();
  let selected = null;
  const phases = new Map();

  function paint(name) {
    const node = nodes.get(name);
    if (!node) return;
    const p = phases.get(name) ?? 'Pending';
    const wait = waiting.has(name);
    node.el.setAttribute('class', ['node', p, wait ? 'waiting' : '', selected === name ? 'selected' : ''].filter(Boolean).join(' '));
    node.el.setAttribute('data-phase', p);
    node.el.setAttribute('aria-label', `${name}: ${wait ? 'waiting for approval' : p}`);
  }

  return {
    update(status) {
      const node = nodes.get(status.name);
      if (!node) return false;
      phases.set(status.name, status.phase);
      const items = status.items;
      node.sub.textContent = items
        ? `${status.phase} · ${items.succeeded}/${items.total} ok${items.failed + items.errored ? `, ${items.failed + items.errored} failed` : ''}`
        : `${status.phase}${status.attempts > 1 ? ` · ${status.attempts} attempts` : ''}`;
      paint(status.name);
      return true;
    },
    setWaiting(names) {
      const before = waiting;
      waiting = new Set(names);
      for (const n of new Set([...before, ...waiting])) paint(n);
    },
    select(name) {
      const before = selected;
      selected = name;
      if (before) paint(before);
      if (name) paint(name);
    },
    has: (name) => nodes.has(name),
  };
}
