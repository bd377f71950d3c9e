// An analysis metric's measurements over time, plotted by uPlot against the thresholds its success
// and failure conditions compare with, with each point's value, phase and query on hover.
import uPlot from '../../vendor/uplot/uPlot.esm.js';
import { h, when } from '../dom.js';

/** The number a simple condition compares result[0] with ("result[0] >= 0.95"); null for anything else. */
export function threshold(condition) {
  const m = /(?:>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i.exec(condition ?? '');
  return m ? Number(m[1]) : null;
}

export function metricChart(metric, measurements, conditions, width) {
  const points = measurements.map(m => ({ t: new Date(m.at).getTime() / 1000, v: typeof m.value?.[0] === 'number' ? m.value[0] : null, m }));
  const success = threshold(conditions?.successCondition);
  const failure = threshold(conditions?.failureCondition);
  const xs = points.map(p => p.t);
  const data = [xs, points.map(p => p.v)];
  const series = [{}, { label: metric, stroke: '#1f5fbf', width: 2, points: { show: true, size: 7 } }];
  if (success !== null) { data.push(xs.map(() => success)); series.push({ label: 'success threshold', stroke: '#1c8a4a', dash: [6, 4] }); }
  if (failure !== null) { data.push(xs.map(() => failure)); series.push({ label: 'failure threshold', stroke: '#c62b2b', dash: [6, 4] }); }

  const holder = h('div', { class: 'chart', 'data-metric': metric, role: 'img', 'aria-label': `${metric}: ${points.length} measurements` });
  const tip = h('div', { class: 'tip', hidden: true });
  holder.append(tip);
  if (points.length === 0) { holder.append(h('p', { class: 'muted' }, `${metric}: no measurements yet`)); return holder; }

  const plot = new uPlot({
    width: Math.max(280, width), height: 180, series,
    scales: { x: { time: true } },
    legend: { show: true },
    hooks: {
      setCursor: [u => {
        const i = u.cursor.idx;
        if (i === null || i === undefined || !points[i]) { tip.hidden = true; return; }
        const m = points[i].m;
        tip.textContent = `${when(m.at)} · ${m.phase} · value ${JSON.stringify(m.value)}${m.message ? ` · ${m.message}` : ''}\n${decodeQuery(m.query)}`;
        tip.style.left = `${Math.max(0, Math.min(u.cursor.left + 12, u.over.clientWidth - 300))}px`;
        tip.style.top = `${u.cursor.top + 12}px`;
        tip.hidden = false;
      }],
    },
  }, data, holder);
  holder.plot = plot;
  // Each measurement also as text, for screen readers and for copying the query as sent.
  holder.append(h('details', {}, h('summary', {}, `${metric}: ${points.length} measurements`),
    h('ol', { class: 'measurements' }, measurements.map(m => h('li', {}, `${when(m.at)} ${m.phase} ${JSON.stringify(m.value)} `, h('code', {}, m.query))))));
  return holder;
}

/** The query as sent, readable: the PromQL out of the URL's query string when it is one. */
function decodeQuery(url) {
  try { return new URL(url).searchParams.get('query') ?? url; } catch { return url; }
}
