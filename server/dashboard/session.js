// Signing in and out, and showing errors: the sign-in form, the error box
// with its Retry button, and a refused token (401) sending the user back to
// sign in. app.js registers the page renderer with onRender.
import {ApiError, errorMessage, token} from './api.js';
import {h, link, nav, show, view} from './dom.js';

let renderPage = () => {};
// The function that renders the current page (Retry, after signing in).
export function onRender(render) {
  renderPage = render;
}

export function signIn(message) {
  nav.hidden = true;
  document.title = 'natscope: sign in';
  const input = h('input', {type: 'password', id: 'token-input', name: 'token', autocomplete: 'off',
    spellcheck: 'false', required: true, placeholder: 'paste the token here'});
  const form = h('form', {id: 'sign-in', class: 'card sign-in'},
      h('h1', {}, 'Sign in to natscope'),
      message && h('p', {class: 'error', role: 'alert', id: 'error'}, message),
      h('label', {for: 'token-input'}, 'Admin or viewer API token'), input,
      h('button', {type: 'submit'}, 'Open the dashboard'),
      h('p', {class: 'muted'}, 'Create a read-only token with ',
          h('code', {}, 'natscope tokens api create viewer dashboard'),
          '; the server\'s first admin token is the admin_token file in its data directory. ' +
          'The token stays in this tab\'s session storage until you sign out or close the tab.'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    token.set(value);
    renderPage();
  });
  show('sign-in', 'ready', [form]);
  input.focus();
}

document.getElementById('sign-out').addEventListener('click', () => {
  token.clear();
  history.replaceState(null, '', location.pathname + location.search + '#/sites');
  signIn('Signed out. The token was removed from this tab.');
});

// An error in words, with Retry and a way back.
export function errorBox(err) {
  if (!(err instanceof ApiError)) err = new ApiError(-1, String(err && err.message || err));
  return h('div', {class: 'error', role: 'alert', id: 'error', 'data-status': err.status},
      h('p', {}, errorMessage(err)),
      h('p', {}, h('button', {type: 'button', onclick: () => renderPage()}, 'Retry'), ' ',
          link(['sites'], 'All sites')));
}

// A page failed: a refused token goes back to sign in, anything else
// replaces the page with an error box.
export function handleError(err) {
  if (isRefusedToken(err)) {
    token.clear();
    signIn('The server refused this token (401: ' + err.message +
        '). It may be mistyped, revoked or expired: paste a valid admin or viewer API token.');
    return;
  }
  show(view.dataset.view, 'error', [errorBox(err)]);
}

export const isRefusedToken = (err) => err instanceof ApiError && err.status === 401;

// A part of a page failed: `box` shows the error, unless the token was
// refused (then the whole page goes back to sign in).
export function partFailed(box, err) {
  if (isRefusedToken(err)) return handleError(err);
  box.replaceChildren(errorBox(err));
}
