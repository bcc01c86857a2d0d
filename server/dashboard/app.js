// natscope dashboard: a single page over natscope-server's JSON API
// (docs/dashboard.md). Pages, by URL fragment:
//   #/sites[?sort=name]   sites worst first: peer-to-peer share, worst finding
//   #/site/NAME           pair matrix, findings, agents, trends
//   #/findings            the fleet's findings
//   #/agent/ID            one agent: state, health, probe history
// The API token is pasted once and kept in sessionStorage; a fragment
// "#token=TOKEN&/site/NAME" signs in and is removed from the address bar
// (for scripts and the browser test).
//
// This file routes and boots. The page loads it as an ES module, and it
// imports the rest:
//   api.js      the token, requests, errors in words
//   dom.js      building the page from text nodes and attributes only
//   words.js    the API's values in words (findings, enums, times, health)
//   session.js  sign in and out, error boxes
//   charts.js   the trends as SVG: peer-to-peer share, agents per finding
//   views.js    pieces several pages show
//   fleet.js    #/sites and #/findings
//   site.js     #/site/NAME
//   agent.js    #/agent/ID
import {adoptTokenFromFragment, token} from './api.js';
import {agentPage} from './agent.js';
import {h, link, nav, show} from './dom.js';
import {findingsPage, sitesPage} from './fleet.js';
import {handleError, onRender, signIn} from './session.js';
import {sitePage} from './site.js';

// Each returns the nodes of its page, or throws ApiError.
const PAGES = {sites: sitesPage, site: sitePage, findings: findingsPage, agent: agentPage};
let generation = 0;  // the page being rendered; older answers are dropped

function parseRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const path = q < 0 ? hash : hash.slice(0, q);
  let parts;
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch (e) {
    parts = ['not-found'];
  }
  return {name: parts[0] || 'sites', arg: parts[1], params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1))};
}

async function render() {
  adoptTokenFromFragment();
  const mine = ++generation;
  if (!token.get()) return signIn();
  nav.hidden = false;
  const route = parseRoute();
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    a.classList.toggle('active', a.dataset.nav === route.name || (a.dataset.nav === 'sites' && route.name === 'site'));
  }
  const page = PAGES[route.name];
  if (!page) {
    return show('not-found', 'error', [h('div', {class: 'error', role: 'alert', id: 'error'},
        'No such page. ', link(['sites'], 'All sites'))]);
  }
  show(route.name, 'loading', [h('p', {class: 'muted'}, 'Loading…')]);
  try {
    const nodes = await page(route);
    if (mine === generation) show(route.name, 'ready', nodes);
  } catch (err) {
    if (mine === generation) handleError(err);
  }
}

onRender(render);
window.addEventListener('hashchange', render);
render();
