// Lays out a large DAG off the page's thread, so the page stays responsive while dagre works.
import { layout } from './layout.js';

self.onmessage = (event) => {
  try {
    self.postMessage({ id: event.data.id, result: layout(event.data.graph) });
  } catch (e) {
    self.postMessage({ id: event.data.id, error: String(e?.message ?? e) });
  }
};
