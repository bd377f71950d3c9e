// Sign-in with what the API already accepts: an API key or a bearer token on gitops serve, a
// function key on Functions; behind App Service authentication the platform's session is enough.
import * as api from '../api.js';
import { h, field, replace, problemBox } from '../dom.js';

export async function render(main, _, context) {
  const out = h('div', { id: 'signin-result' });
  const kind = h('select', { id: 'signin-kind', name: 'kind' },
    h('option', { value: 'apiKey' }, 'API key'),
    h('option', { value: 'bearer' }, 'Bearer token'),
    h('option', { value: 'functionKey' }, 'Function key (Azure Functions)'),
    h('option', { value: 'platform' }, 'Signed in to App Service (no secret)'));
  const secret = h('input', { id: 'signin-secret', name: 'secret', type: 'password', autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { class: 'panel', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', { class: 'muted' }, 'The dashboard calls the same API as the CLI, as you. The secret stays in this tab only.'),
    h('div', { class: 'filters' },
      field('Credential', kind),
      field('Secret', secret)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'signin-submit' }, 'Sign in')),
    out);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    api.signIn(kind.value, secret.value);
    try {
      // Asked directly first, so a refusal is shown as the API gave it.
      await api.get('/me');
      await context.refreshIdentity();
      secret.value = '';
      replace(out);
      location.hash = '#/runs';
    } catch (e) {
      api.signOut();
      replace(out, problemBox(e));
    }
  });
  replace(main, form);
  secret.focus();
}
