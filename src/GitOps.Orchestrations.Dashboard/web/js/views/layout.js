// Graph layout by dagre, the same code on the page and in the layout worker.
import dagre from '../../vendor/dagre/dagre.esm.js';

export const nodeWidth = 168;
export const nodeHeight = 40;
const nodesep = 14;
const ranksep = 48;
const margin = 12;

/**
 * Lays out [{name, depends}] left to right; returns { width, height, nodes: {name: {x, y}}, edges: [{v, w, points}] }.
 * Past a few hundred nodes the longest-path ranker and the single ordering pass keep it to about a
 * second; the full crossing reduction takes minutes on a thousand densely linked nodes.
 */
export function layout(graph) {
  const large = graph.length > 300;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep, ranksep, marginx: margin, marginy: margin, ranker: large ? 'longest-path' : 'network-simplex' });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(graph.map(n => n.name));
  for (const n of graph) g.setNode(n.name, { width: nodeWidth, height: nodeHeight });
  for (const n of graph) for (const d of n.depends) if (names.has(d)) g.setEdge(d, n.name);
  dagre.layout(g, { disableOptimalOrderHeuristic: large });
  const nodes = {};
  for (const name of g.nodes()) { const { x, y } = g.node(name); nodes[name] = { x, y }; }
  const { width = 0, height = 0 } = g.graph();
  return { width, height, nodes, edges: g.edges().map(e => ({ v: e.v, w: e.w, points: g.edge(e).points })) };
}

/**
 * A first picture while dagre works: each node in the column of its depth (the longest chain of
 * depends before it), in the order the workflow lists them; edges straight. Not a layout
 * algorithm's result, and replaced by one as soon as the worker answers.
 */
export function columns(graph) {
  const byName = new Map(graph.map(n => [n.name, n]));
  const depth = new Map();
  const visiting = new Set();
  const depthOf = (name) => {
    if (depth.has(name)) return depth.get(name);
    if (visiting.has(name)) return 0; // a cycle cannot load, but a picture never loops
    visiting.add(name);
    const n = byName.get(name);
    const d = n ? Math.max(-1, ...n.depends.filter(x => byName.has(x)).map(depthOf)) + 1 : 0;
    visiting.delete(name);
    depth.set(name, d);
    return d;
  };
  const rows = [];
  const nodes = {};
  for (const n of graph) {
    const d = depthOf(n.name);
    rows[d] = (rows[d] ?? 0) + 1;
    nodes[n.name] = { x: margin + d * (nodeWidth + ranksep) + nodeWidth / 2, y: margin + (rows[d] - 1) * (nodeHeight + nodesep) + nodeHeight / 2 };
  }
  const edges = [];
  for (const n of graph) for (const d of n.depends) if (nodes[d]) {
    edges.push({ v: d, w: n.name, points: [{ x: nodes[d].x + nodeWidth / 2, y: nodes[d].y }, { x: nodes[n.name].x - nodeWidth / 2, y: nodes[n.name].y }] });
  }
  const width = margin * 2 + rows.length * (nodeWidth + ranksep) - ranksep;
  const height = margin * 2 + Math.max(0, ...rows) * (nodeHeight + nodesep) - nodesep;
  return { width, height, nodes, edges };
}
