// One file of the served folder, as the API has it at the served revision: how a file that did not
// load at all (so has no workflow to open) is read, with its problems at their lines.
import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { yamlView } from '../views/yaml.js';

export async function render(main, [path]) {
  const file = await api.get(`/files${api.query({ path })}`);
  replace(main,
    h('h1', {}, h('span', { class: 'mono' }, file.path)),
    h('p', { class: 'muted' }, 'At ', h('span', { class: 'mono' }, file.revision), file.problems.length ? ` · ${file.problems.length} problem${file.problems.length === 1 ? '' : 's'}` : ' · no problems'),
    yamlView(file.yaml, file.problems));
}
