// natscope-server's JSON API (docs/http-api.md): the token, the requests,
// and their errors in words that say what to do.

const TOKEN_KEY = 'natscope.token';

// The API token, kept in this tab's sessionStorage.
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

// A fragment "#token=TOKEN&/site/NAME" signs in: the token moves to
// sessionStorage and leaves the address bar (for scripts and the browser
// test).
export function adoptTokenFromFragment() {
  const m = /^#token=([^&]*)(?:&(.*))?$/.exec(location.hash);
  if (!m) return;
  let value = '';
  try {
    value = decodeURIComponent(m[1]).trim();
  } catch (e) { /* a malformed token is not kept */ }
  if (value) token.set(value);
  const rest = (m[2] || '/sites').replace(/^#/, '');
  history.replaceState(null, '', location.pathname + location.search + '#' + rest);
}

// A failed request: `status` is the HTTP status, 0 when there was no answer.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// GET `path` (relative: "v1/sites") with `params` as its query; the parsed
// JSON object, or throws ApiError.
export async function api(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') query.set(k, String(v));
  }
  const url = path + (query.toString() ? '?' + query : '');
  let response;
  try {
    response = await fetch(url, {
      headers: {Authorization: 'Bearer ' + token.get(), Accept: 'application/json'},
      cache: 'no-store', credentials: 'omit', redirect: 'error'});
  } catch (e) {
    throw new ApiError(0, e.message || 'no answer');
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) { /* not JSON: reported below */ }
  if (!response.ok) {
    const error = body && body.error;
    throw new ApiError(response.status, (error && error.message) || response.statusText || 'no detail');
  }
  if (body === null || typeof body !== 'object') {
    throw new ApiError(response.status, 'the server\'s answer to ' + path + ' is not JSON.');
  }
  return body;
}

export function errorMessage(err) {
  const detail = err.message || '';
  switch (err.status) {
    case 0: return 'Cannot reach natscope-server (' + detail + '). Check that it is running with ' +
        '--http_listen and that this page comes from that address, then retry.';
    case 403: return 'This token may not read this (403 permission denied: ' + detail +
        '). Sign out and use an admin or viewer API token, not an agent\'s or an enrollment token.';
    case 404: return 'Not found: ' + detail;
    case 400: return 'The server refused the request (400: ' + detail + ').';
    case 429: return 'Too many requests (429): wait a moment, then retry.';
    case 503: return 'natscope-server is unavailable (503: ' + detail + '); its database may be down. Retry shortly.';
    default: return 'natscope-server failed (' + err.status + ': ' + detail + '). Retry, or read the server\'s log.';
  }
}
