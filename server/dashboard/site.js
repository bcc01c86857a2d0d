// The page of one site, #/site/NAME: the headline share, the client x
// connector pair matrix, the findings, the trends, the agents and the counts
// of NAT behaviours.
import {api} from './api.js';
import {trendSection} from './charts.js';
import {append, h, link, section, table, td} from './dom.js';
import {partFailed} from './session.js';
import {PAGE_SIZE, findingCard, moreButton, problemList, shareBar, shareText} from './views.js';
import {
  findingName, freshnessOf, healthOf, mappingName, num, plural, roleName, sourceName, stunName, timeEl,
  verdictName, word,
} from './words.js';

function pairMatrix(cells) {
  if (!cells || cells.length === 0) {
    return h('p', {class: 'muted'}, 'No pairs: the site needs at least one client and one connector with a probe.');
  }
  const rows = [], cols = [], byKey = new Map();
  for (const c of cells) {
    const cl = (c.clientClass && c.clientClass.label) || 'unknown';
    const co = (c.connectorClass && c.connectorClass.label) || 'unknown';
    if (!rows.some((r) => r.label === cl)) rows.push({label: cl, n: num(c.clients)});
    if (!cols.some((r) => r.label === co)) cols.push({label: co, n: num(c.connectors)});
    byKey.set(cl + '\u0000' + co, c);
  }
  const head = h('tr', {}, h('th', {scope: 'col', class: 'corner'}, 'Clients \u2193  Connectors \u2192'),
      cols.map((c) => h('th', {scope: 'col'}, c.label, h('small', {}, plural(c.n, 'connector')))));
  const body = rows.map((r) => h('tr', {}, h('th', {scope: 'row'}, r.label, h('small', {}, plural(r.n, 'client'))),
      cols.map((c) => {
        const cell = byKey.get(r.label + '\u0000' + c.label);
        if (!cell) return h('td', {class: 'pair empty'}, '\u2013');
        const v = word(cell.verdict || 'PAIR_VERDICT_UNSPECIFIED', 'PAIR_VERDICT_');
        return h('td', {class: 'pair verdict-' + v, 'data-pair': r.label + '|' + c.label, 'data-verdict': v,
          'data-source': cell.source || '', title: cell.reason || ''},
        h('strong', {class: 'verdict'}, verdictName(cell.verdict)),
        h('small', {}, plural(num(cell.pairs), 'pair')),
        cell.reason && h('small', {class: 'reason'}, cell.reason),
        h('small', {class: 'rests-on'}, 'rests on: ' + sourceName(cell.source)));
      })));
  return h('div', {class: 'table-wrap'},
      h('table', {class: 'matrix', id: 'pair-matrix'}, h('thead', {}, head), h('tbody', {}, body)));
}

function agentRow(a) {
  const id = (a.identity && a.identity.agentId) || '';
  const health = healthOf(a);
  const fresh = word(freshnessOf(a), 'FRESHNESS_');
  const findings = (a.findings || []).map((f) => findingName(f.code));
  return h('tr', {class: 'agent-row ' + (health.healthy ? 'agent-healthy' : 'agent-unhealthy'), 'data-agent': id,
    'data-freshness': fresh},
  td('Agent', {}, link(['agent', id], id), h('small', {}, (a.identity && a.identity.hostname) || '')),
  td('Role', {}, roleName(a.identity && a.identity.role)),
  td('NAT type', {}, a.reportedNatType || 'unknown',
      h('small', {class: 'rests-on', 'data-source': a.natClassSource || ''},
          'class rests on: ' + sourceName(a.natClassSource))),
  td('Mapping / filtering', {}, mappingName(a.mappingBehavior), ' / ', word(a.filteringBehavior, 'FILTERING_')),
  td('Public address', {class: 'mono'}, a.publicAddress || '\u2013'),
  td('Last seen', {}, h('span', {class: 'badge fresh-' + fresh}, fresh), ' ', timeEl(a.lastSeen)),
  td('Health', {class: 'health'}, health.healthy ? h('span', {class: 'badge health-ok'}, 'ok') :
      problemList(health.problems)),
  td('Findings', {}, findings.length ? findings.join(', ') : h('span', {class: 'muted'}, 'none')));
}

// A page of agents and a button for the next; `keep` filters rows (an
// older server ignores unhealthy_only).
function agentTable(base, params, page, keep) {
  const agents = (page.agents || []).filter(keep);
  if (agents.length === 0 && !page.nextPageToken) {
    return h('p', {class: 'muted'}, params.unhealthy_only ? 'Every agent of this site is healthy.' : 'No agents.');
  }
  const tbody = h('tbody', {id: 'agent-rows'}, agents.map(agentRow));
  const more = moreButton(page.nextPageToken, async (token) => {
    const next = await api(base + '/agents', Object.assign({page_token: token}, params));
    append(tbody, (next.agents || []).filter(keep).map(agentRow));
    return next.nextPageToken;
  });
  const headers = ['Agent', 'Role', 'NAT type', 'Mapping / filtering', 'Public address', 'Last seen', 'Health',
    'Findings'];
  return h('div', {}, table('agents table-cards', headers, tbody), more);
}

function agentsSection(base, first) {
  const body = h('div', {}, agentTable(base, {page_size: PAGE_SIZE}, first, () => true));
  const all = h('button', {type: 'button', class: 'active', id: 'agents-all'}, 'All agents');
  const bad = h('button', {type: 'button', id: 'agents-unhealthy'}, 'Only unhealthy');
  const load = async (unhealthyOnly) => {
    const params = {page_size: PAGE_SIZE, unhealthy_only: unhealthyOnly ? 'true' : ''};
    const keep = unhealthyOnly ? (a) => !healthOf(a).healthy : () => true;
    try {
      body.replaceChildren(agentTable(base, params, await api(base + '/agents', params), keep));
      all.classList.toggle('active', !unhealthyOnly);
      bad.classList.toggle('active', unhealthyOnly);
    } catch (err) {
      partFailed(body, err);
    }
  };
  all.addEventListener('click', () => load(false));
  bad.addEventListener('click', () => load(true));
  return section('Agents', 'agents', h('p', {class: 'toggle'}, all, bad), body);
}

function countsList(title, items, name) {
  return h('div', {}, h('h3', {}, title), h('ul', {class: 'counts'},
      (items || []).map((c) => h('li', {}, roleName(c.role) + ': ' + name(c) + ' ', h('strong', {}, num(c.agents))))));
}

export async function sitePage(route) {
  const site = route.arg || '';
  const base = 'v1/sites/' + encodeURIComponent(site);
  const [analysis, agents] = await Promise.all([api(base + '/analysis'), api(base + '/agents', {page_size: PAGE_SIZE})]);
  document.title = 'natscope: ' + site;
  const findings = analysis.findings || [];
  const stun = analysis.stunDiscovery || {};
  const unhealthy = (agents.agents || []).filter((a) => !healthOf(a).healthy).length;
  return [
    h('div', {class: 'page-head'}, h('p', {class: 'crumbs'}, link(['sites'], 'Sites'), ' \u203a'),
        h('h1', {id: 'site-title', 'data-site': analysis.site || site}, analysis.site || site)),
    h('div', {class: 'card headline'},
        h('p', {class: 'big'}, shareBar(analysis.p2pCapableShare), ' ', h('strong', {}, shareText(analysis)),
            num(analysis.clients) && num(analysis.connectors) ? ' can reach a connector of the site peer-to-peer' : ''),
        h('p', {class: 'muted'}, plural(num(analysis.clients), 'client'), ', ',
            plural(num(analysis.connectors), 'connector'), '. Connectors\' STUN discovery: ',
            num(stun.available), ' available, ', num(stun.unavailable), ' unavailable, ',
            num(stun.unknown), ' unknown',
            (stun.connectors || []).length ? ' (' + stun.connectors.map((c) => c.agentId + ': ' +
                stunName(c.discovery && c.discovery.state) + ', ' +
                sourceName(c.discovery && c.discovery.source)).join('; ') + ')' : '',
            '. Agents: ', (analysis.byFreshness || []).map((f) =>
              num(f.agents) + ' ' + word(f.freshness, 'FRESHNESS_')).join(', ') || 'none',
            unhealthy ? '; ' + unhealthy + (agents.nextPageToken ? '+' : '') + ' unhealthy' : '', '.')),
    section('Client \u00d7 connector pairs', 'pairs',
        h('p', {class: 'muted'}, 'Each cell: every client of a NAT class against every connector of a class, under the ',
            word(analysis.policy || 'PAIR_POLICY_PRODUCT_STRICT', 'PAIR_POLICY_').replace(/-/g, ' '), ' policy.'),
        pairMatrix(analysis.pairMatrix)),
    section('Findings, in the order to troubleshoot', 'findings', findings.length === 0 ?
        h('p', {class: 'ok'}, 'Nothing measured blocks peer-to-peer at this site.') :
        findings.map((f) => findingCard(f, f.agentIds || [], f.sources || []))),
    trendSection(base + '/trend', 'Over time: peer-to-peer share and findings'),
    agentsSection(base, agents),
    h('details', {class: 'card'}, h('summary', {}, 'NAT behaviour counts'), h('div', {class: 'count-grid'},
        countsList('Mapping', analysis.byMapping, (c) => mappingName(c.mapping)),
        countsList('Filtering', analysis.byFiltering, (c) => word(c.filtering, 'FILTERING_')),
        countsList('Classic type', analysis.byClassicType, (c) => c.classicNatType || 'unknown'))),
  ];
}
