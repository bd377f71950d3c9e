// A run's DAG: laid out by dagre (edges from `depends`), drawn as SVG, recoloured in place as
// node events arrive. Fan-outs are one node with their item counts, as the engine reports them.
import { s, replace } from '../dom.js';
import { layout, columns, nodeWidth, nodeHeight } from './layout.js';

const maxLabel = 22;
// Up to this many nodes dagre runs at once; larger graphs are drawn in columns first and laid out
// in a worker, so the first picture and the page's responsiveness do not wait for the layout.
const inlineLayout = 300;

/**
 * Draws graph (GET /api/runs/{id}/graph nodes) into container. onSelect(name) is called when a
 * node is clicked or chosen by keyboard. Returns { update(nodeStatus), setWaiting(names), select(name) }.
 * The container's data-layout says "columns" until dagre's layout is in place, then "dagre".
 */
export function drawDag(container, graph, onSelect) {
  const conditional = new Set(graph.filter(n => n.condition).map(n => n.name));
  const edges = s('g', { class: 'edges' });
  const nodes = new Map();
  const layer = s('g', { class: 'nodes' });
  for (const n of graph) {
    const label = n.name.length > maxLabel ? n.name.slice(0, maxLabel - 1) + '…' : n.name;
    const sub = s('text', { x: 10, y: 32, class: 'sub' }, '');
    const el = s('g', {
      class: ['node', 'Pending'],
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

  const svg = s('svg', { role: 'group', 'aria-label': `DAG of ${graph.length} tasks` },
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#98a2b3' }))),
    edges, layer);
  replace(container, svg);

  function place(result, kind) {
    const width = Math.ceil(result.width), height = Math.ceil(result.height);
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    for (const [name, { el }] of nodes) {
      const p = result.nodes[name];
      if (p) el.setAttribute('transform', `translate(${(p.x - nodeWidth / 2).toFixed(1)},${(p.y - nodeHeight / 2).toFixed(1)})`);
    }
    edges.replaceChildren(...result.edges.map(e => s('path', {
      class: ['edge', conditional.has(e.w) && 'conditional'], 'marker-end': 'url(#arrow)',
      d: e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' '),
    })));
    container.dataset.layout = kind;
  }

  if (graph.length <= inlineLayout) {
    place(layout(graph), 'dagre');
  } else {
    place(columns(graph), 'columns');
    const worker = new Worker(new URL('./layout-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data.result && container.isConnected) place(event.data.result, 'dagre');
    };
    worker.postMessage({ id: 1, graph: graph.map(n => ({ name: n.name, depends: n.depends })) });
  }

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
