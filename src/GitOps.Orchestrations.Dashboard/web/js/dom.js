// Builds the page from data without ever parsing it as markup: text goes in as text nodes, so a
// param, message or comment that looks like HTML stays text.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const svgNs = 'http://www.w3.org/2000/svg';
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(svgNs, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function replace(el, ...children) { el.replaceChildren(); return append(el, children); }

export function phase(name, extra) {
  return h('span', { class: ['phase', name], 'data-phase': name }, name ?? 'Unknown', extra ? ` ${extra}` : '');
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs}h ${m % 60}m`;
  return `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

/** .NET TimeSpan text ("1.02:03:04.5") to milliseconds. */
export function timeSpanMs(text) {
  const m = /^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.(\d+))?$/.exec(text ?? '');
  if (!m) return NaN;
  const ms = (((Number(m[2] ?? 0) * 24 + Number(m[3])) * 60 + Number(m[4])) * 60 + Number(m[5])) * 1000 + Number(`0.${m[6] ?? 0}`) * 1000;
  return m[1] ? -ms : ms;
}

/** Shows an API refusal as the problem body says it: title, status and detail, and any errors. */
export function problemBox(error) {
  const status = error.status ? ` (${error.status})` : '';
  return h('div', { class: 'problem', role: 'alert' },
    h('strong', {}, `${error.title ?? 'Error'}${status}`),
    error.detail ? h('span', { class: 'detail' }, error.detail) : null,
    error.errors?.length ? h('ul', {}, error.errors.map(e => h('li', { class: 'mono' }, e))) : null);
}

export function notice(text) { return h('div', { class: 'notice', role: 'status' }, text); }

export function announce(text) {
  const status = document.getElementById('status');
  if (status) status.textContent = text;
}

export function json(value) { return h('pre', { class: 'mono' }, JSON.stringify(value, null, 2)); }

export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(p => p && p[1] !== undefined && p[1] !== null && p[1] !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

let fieldCount = 0;
/** A labelled control: the label names it by `for`, so a select's options never become its name. */
export function field(label, control) {
  if (!control.id) control.id = `field-${++fieldCount}`;
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}
