// The page of one agent, #/agent/ID: its state and health, its NAT class
// and STUN discovery with what each rests on (probe, log, or both), its
// findings with their sources, and its probe history.
import {api} from './api.js';
import {h, link, section, table, td} from './dom.js';
import {findingCard, problemList} from './views.js';
import {
  bytes, findingName, freshnessOf, healthOf, mappingName, num, pct, plural, roleName, sourceName, stunName,
  timeEl, withSure, word,
} from './words.js';

function probeRow(p) {
  const findings = (p.findings || []).map((f) => findingName(f.code));
  return h('tr', {class: 'probe-row' + (p.udpReachable ? '' : ' udp-blocked')},
      td('Time', {}, timeEl(p.time), h('small', {class: 'mono'}, p.time || '')),
      td('UDP', {}, p.udpReachable ? 'reachable' : 'blocked'),
      td('Mapping', {}, withSure(mappingName(p.mappingBehavior), p.mappingConfidence)),
      td('Filtering', {}, withSure(word(p.filteringBehavior, 'FILTERING_'), p.filteringConfidence)),
      td('Classic type', {}, p.classicNatType || 'unknown'),
      td('Public address', {class: 'mono'}, p.publicAddress || '\u2013'),
      td('Findings', {}, findings.length ? findings.join(', ') : h('span', {class: 'muted'}, 'none')),
      td('Took', {class: 'num'}, num(p.durationMicros) < 1e6 ? Math.round(num(p.durationMicros) / 1000) + ' ms' :
          (num(p.durationMicros) / 1e6).toFixed(1) + ' s'));
}

function facts(rows) {
  return h('dl', {class: 'facts'}, rows.filter((r) => r[1] !== undefined && r[1] !== null && r[1] !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// What the agent's newest batch said of itself (AgentHealth.counters).
function countersText(c) {
  if (!c) return '';
  const parts = [plural(num(c.recordsDropped), 'record') + ' dropped', plural(num(c.deadLetters), 'dead letter'),
    plural(num(c.retries), 'retry', 'retries'), plural(num(c.backpressurePauses), 'backpressure pause'),
    plural(num(c.batchConflicts), 'batch conflict')];
  return parts.join(', ') + ' since the agent started';
}

function agentFacts(who, state) {
  const health = state ? healthOf(state) : null;
  const hb = (state && state.health) || {};
  const c = hb.counters;
  const fresh = state && word(freshnessOf(state), 'FRESHNESS_');
  return facts([
    ['Role', roleName(who.role)], ['Site', who.site && link(['site', who.site], who.site)],
    ['Host name', who.hostname],
    ['Sends through', state && state.intake ?
        h('span', {id: 'intake-host', class: 'badge'}, 'a log shipper (intake): no agent, no probes') : ''],
    ['Agent version', hb.version || who.version],
    ['Last seen', state && [h('span', {class: 'badge fresh-' + fresh}, fresh), ' ', timeEl(state.lastSeen)]],
    ['Last probe', hb.lastProbeTime && timeEl(hb.lastProbeTime)],
    ['Health', health && (health.healthy ? h('span', {class: 'badge health-ok agent-healthy'}, 'ok') :
        h('div', {class: 'agent-unhealthy'}, problemList(health.problems)))],
    ['Spool', c && num(c.spoolCapacityBytes) ? bytes(c.spoolBytes) + ' of ' + bytes(c.spoolCapacityBytes) +
        ' (' + pct(num(c.spoolBytes) / num(c.spoolCapacityBytes)) + ')' : ''],
    ['Delivery', countersText(c)],
    ['NAT class', state && state.natClass && [(state.natClass.label || 'unknown') + ' \u2014 rests on: ',
      h('strong', {id: 'nat-class-source', 'data-source': state.natClassSource || ''},
          sourceName(state.natClassSource))]],
    ['STUN discovery', state && state.stunDiscovery && [stunName(state.stunDiscovery.state) + ' \u2014 rests on: ',
      h('strong', {id: 'stun-source', 'data-source': state.stunDiscovery.source || ''},
          sourceName(state.stunDiscovery.source)),
      (state.stunDiscovery.evidence || []).length ?
        h('ul', {}, state.stunDiscovery.evidence.map((e) => h('li', {}, e))) : '']],
    ['Reported NAT type', state && (state.reportedNatType || 'unknown')],
    ['Product log says', state && state.logNatType],
    ['Mapping / filtering', state &&
        (mappingName(state.mappingBehavior) + ' / ' + word(state.filteringBehavior, 'FILTERING_'))],
    ['Public address', state && state.publicAddress],
    ['Clock skew', state && num(state.clockSkewSeconds) ?
        num(state.clockSkewSeconds) + ' s (positive: the agent runs ahead)' : ''],
    ['Agent and server differ', state && (state.verdictDifferences || []).length ?
        h('ul', {}, state.verdictDifferences.map((d) => h('li', {}, d))) : ''],
  ]);
}

export async function agentPage(route) {
  const id = route.arg || '';
  const base = 'v1/agents/' + encodeURIComponent(id);
  // GetAgent may be missing on an older server: the history still names the agent.
  const state = await api(base).catch((err) => {
    if (err.status === 404 || err.status === 405 || err.status === 501) return null;
    throw err;
  });
  const history = await api(base + '/history', {limit: 50});
  document.title = 'natscope: ' + id;
  const who = (state && state.identity) || history.identity || {};
  const probes = history.probes || [];
  return [
    h('div', {class: 'page-head'}, h('p', {class: 'crumbs'}, link(['sites'], 'Sites'), ' \u203a ',
        who.site ? link(['site', who.site], who.site) : '', ' \u203a'),
    h('h1', {id: 'agent-title', 'data-agent': who.agentId || id}, who.agentId || id)),
    h('div', {class: 'card'}, agentFacts(who, state)),
    state && (state.findings || []).length > 0 && section('Findings, with what each rests on', 'findings',
        state.findings.map((f) => findingCard(f, null))),
    section('Probe history, newest first', 'history', probes.length === 0 ?
        h('p', {class: 'muted'}, 'No probe report yet.') :
        table('probes table-cards',
            ['Time', 'UDP', 'Mapping', 'Filtering', 'Classic type', 'Public address', 'Findings', 'Took'],
            h('tbody', {id: 'probe-rows'}, probes.map(probeRow)))),
  ];
}
