// Every call the dashboard makes goes through here: the same /api the CLI uses, with the
// credential the person signed in with. Refusals arrive as RFC 7807 problems and are thrown as
// ProblemError, so pages show what the API said instead of swallowing it.

const storageKey = 'gitops.credential';

/** Where the API is: /api beside the dashboard (gitops serve: /ui/, Functions: /api/ui/). */
export const apiBase = (() => {
  const path = location.pathname;
  const functions = path.indexOf('/api/ui/');
  if (functions >= 0) return path.slice(0, functions) + '/api';
  const server = path.lastIndexOf('/ui/');
  return (server >= 0 ? path.slice(0, server) : '') + '/api';
})();

/** { kind: 'apiKey' | 'bearer' | 'functionKey' | 'platform', value } kept for this tab only. */
export function credential() {
  try { return JSON.parse(sessionStorage.getItem(storageKey)) ?? null; } catch { return null; }
}

export function signIn(kind, value) { sessionStorage.setItem(storageKey, JSON.stringify({ kind, value })); }
export function signOut() { sessionStorage.removeItem(storageKey); }

function headers(extra) {
  const h = new Headers(extra);
  const c = credential();
  if (c?.kind === 'apiKey') h.set('X-Api-Key', c.value);
  else if (c?.kind === 'bearer') h.set('Authorization', `Bearer ${c.value}`);
  else if (c?.kind === 'functionKey') h.set('x-functions-key', c.value);
  return h;
}

export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

async function problemOf(response) {
  const text = await response.text();
  try { return new ProblemError(response.status, JSON.parse(text)); }
  catch { return new ProblemError(response.status, { title: `HTTP ${response.status}`, detail: text.slice(0, 500) }); }
}

/** GET or POST a path under /api; resolves to the JSON answer, rejects with ProblemError. */
export async function call(method, path, body, extraHeaders) {
  const init = { method, headers: headers(extraHeaders), cache: 'no-store' };
  if (body !== undefined) {
    init.headers.set('Content-Type', 'application/json');
    init.body = JSON.stringify(body);
  }
  let response;
  try { response = await fetch(apiBase + path, init); }
  catch (e) { throw new ProblemError(0, { title: 'The server could not be reached', detail: String(e.message || e) }); }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path) => call('GET', path);
export const post = (path, body, extraHeaders) => call('POST', path, body ?? {}, extraHeaders);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;

/**
 * Follows a run's Server-Sent Events. EventSource cannot send the credential headers, so this reads
 * the stream with fetch and parses it here. When the connection drops it reconnects after the
 * server's retry delay with Last-Event-ID, so no change is lost: the server sends every node that
 * changed after that id. Returns { close() }.
 */
export function followEvents(path, { onEvent, onState, lastEventId = 0 }) {
  let closed = false;
  let controller = null;
  let retry = 1000;
  let last = lastEventId;
  let connects = 0;

  async function connect() {
    while (!closed) {
      controller = new AbortController();
      let ended = false;
      try {
        const h = headers({ Accept: 'text/event-stream' });
        if (last > 0) h.set('Last-Event-ID', String(last));
        const response = await fetch(apiBase + path, { headers: h, signal: controller.signal, cache: 'no-store' });
        if (!response.ok) {
          const problem = await problemOf(response);
          onState?.({ state: 'refused', problem });
          if (response.status < 500) return; // 401, 403, 404 will not change by asking again
        } else {
          connects++;
          onState?.({ state: connects > 1 ? 'resumed' : 'open', after: last });
          ended = await read(response.body.getReader());
          if (ended) { onState?.({ state: 'ended', after: last }); return; }
        }
      } catch (e) {
        if (closed) return;
      }
      if (closed) return;
      onState?.({ state: 'reconnecting', after: last });
      await new Promise(r => setTimeout(r, retry));
    }
  }

  // Returns true when the run ended (the server closes the stream after a final run event).
  async function read(reader) {
    const decoder = new TextDecoder();
    let buffer = '';
    let event = { id: null, type: 'message', data: [] };
    let sawFinal = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return sawFinal;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (event.data.length > 0) {
            if (event.id !== null) { const n = Number(event.id); if (Number.isFinite(n)) last = Math.max(last, n); }
            let data = null;
            try { data = JSON.parse(event.data.join('\n')); } catch { data = null; }
            if (data !== null) {
              onEvent(event.type, data, last);
              if (event.type === 'run' && ['Succeeded', 'Failed', 'Errored', 'Terminated'].includes(data.phase)) sawFinal = true;
            }
          }
          event = { id: null, type: 'message', data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'data') event.data.push(val);
        else if (field === 'event') event.type = val;
        else if (field === 'id') event.id = val;
        else if (field === 'retry' && /^\d+$/.test(val)) retry = Math.min(Number(val), 30000);
      }
      if (buffer.length > 1 << 20) throw new Error('event line longer than 1 MiB');
    }
  }

  connect();
  return {
    close() { closed = true; controller?.abort(); },
    get lastEventId() { return last; },
  };
}
