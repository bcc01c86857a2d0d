// The fleet's pages: #/sites (every site, worst first, and the fleet's
// trends) and #/findings (the fleet's findings). Each page function returns
// the page's nodes or throws ApiError.
import {api} from './api.js';
import {trendSection} from './charts.js';
import {append, h, link, table, td} from './dom.js';
import {PAGE_SIZE, moreButton, shareBar, shareText} from './views.js';
import {findingName, num, plural, timeEl} from './words.js';

function natTypesText(counts, role) {
  return (counts || []).filter((c) => c.role === role)
      .map((c) => (c.natType || 'unknown') + ' ' + num(c.agents)).join(', ');
}

function siteRow(site) {
  return h('tr', {class: 'site-row', 'data-site': site.site, 'data-severity': num(site.severityScore)},
      td('Site', {class: 'site-name'}, link(['site', site.site], site.site)),
      td('Peer-to-peer', {class: 'share'}, shareBar(site.p2pCapableShare), ' ', shareText(site)),
      td('Worst finding', {class: 'worst'}, site.worstFinding && site.worstFinding !== 'FINDING_UNSPECIFIED' ?
          findingName(site.worstFinding) : h('span', {class: 'muted'}, 'none')),
      td('Clients', {class: 'num'}, num(site.clients),
          h('small', {class: 'nat-types'}, natTypesText(site.natTypes, 'ROLE_CLIENT'))),
      td('Connectors', {class: 'num'}, num(site.connectors),
          h('small', {class: 'nat-types'}, natTypesText(site.natTypes, 'ROLE_CONNECTOR'))),
      td('Agents\' health', {class: 'agents-health', 'data-unhealthy': num(site.unhealthyAgents)},
          site.unhealthyAgents === undefined ? h('span', {class: 'muted'}, '\u2013') : num(site.unhealthyAgents) ?
          h('span', {class: 'badge health-bad'}, plural(num(site.unhealthyAgents), 'unhealthy agent')) :
          h('span', {class: 'badge health-ok'}, 'all ok')),
      td('Last seen', {}, timeEl(site.lastSeen)));
}

export async function sitesPage(route) {
  const byName = route.params.get('sort') === 'name';
  const params = {page_size: PAGE_SIZE, sort_by_name: byName ? 'true' : ''};
  const first = await api('v1/sites', params);
  document.title = 'natscope: sites';
  const sites = first.sites || [];
  const tbody = h('tbody', {id: 'site-rows'}, sites.map(siteRow));
  const more = moreButton(first.nextPageToken, async (token) => {
    const page = await api('v1/sites', Object.assign({page_token: token}, params));
    append(tbody, (page.sites || []).map(siteRow));
    return page.nextPageToken;
  });
  return [
    h('div', {class: 'page-head'}, h('h1', {}, 'Sites'),
        h('p', {class: 'muted'},
            byName ? 'By name. ' : 'Worst first: the sites where the fewest clients can go peer-to-peer. ',
            byName ? link(['sites'], 'Worst first') : h('a', {href: '#/sites?sort=name'}, 'Sort by name'))),
    sites.length === 0 ?
        h('p', {class: 'card empty'},
            'No site has reported yet: sites appear once their agents ship a first batch (natscope-agent run).') :
        table('sites table-cards',
            ['Site', 'Peer-to-peer', 'Worst finding', 'Clients', 'Connectors', 'Agents\' health', 'Last seen'], tbody),
    more,
    trendSection('v1/trend', 'The fleet over time: peer-to-peer share and findings'),
  ];
}

function fleetFindingCard(f) {
  return h('article', {class: 'card finding', 'data-finding': f.code || ''},
      h('h2', {}, findingName(f.code)),
      h('p', {class: 'summary'}, plural(num(f.agents), 'agent'), ' at ', plural(num(f.sites), 'site'), '.'),
      (f.worstSites || []).length > 0 && h('p', {class: 'affected'}, 'Most affected: ',
          f.worstSites.map((name, i) => [i ? ', ' : '', link(['site', name], name, {'data-site': name})])),
      f.remediation && h('p', {class: 'remediation'}, h('strong', {}, 'What to do: '), f.remediation));
}

export async function findingsPage() {
  const answer = await api('v1/findings');
  document.title = 'natscope: findings';
  const fleet = answer.fleet || [];
  return [
    h('div', {class: 'page-head'}, h('h1', {}, 'Findings across the fleet'),
        h('p', {class: 'muted'}, 'Most important first: what blocks peer-to-peer, where, and what to change.')),
    fleet.length === 0 ? h('p', {class: 'card ok'}, 'No findings: nothing measured blocks peer-to-peer anywhere.') :
        h('div', {id: 'fleet-findings'}, fleet.map(fleetFindingCard)),
  ];
}
