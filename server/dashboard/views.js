// Pieces that several pages show: the peer-to-peer share, a finding with
// its evidence and remediation, an agent's problems, "Show more".
import {h, link} from './dom.js';
import {partFailed} from './session.js';
import {findingName, num, pct, plural, severityBadge, sourceName} from './words.js';

// Pages ask for this many rows at a time.
export const PAGE_SIZE = 200;

export function shareBar(share) {
  const bar = h('span', {class: 'bar-fill'});
  bar.style.width = Math.max(0, Math.min(100, num(share) * 100)) + '%';  // CSSOM: allowed by CSP
  const level = num(share) >= 0.9 ? 'high' : num(share) >= 0.5 ? 'mid' : 'low';
  return h('span', {class: 'bar share-' + level, 'aria-hidden': 'true'}, bar);
}

export function shareText(x) {
  if (!num(x.clients)) return 'no client has reported yet';
  if (!num(x.connectors)) return 'no connector has reported yet';
  return num(x.p2pCapableClients) + ' of ' + plural(num(x.clients), 'client') + ' (' + pct(x.p2pCapableShare) + ')';
}

// A "Show more" button under a list: loadPage(token) appends the next page
// and returns the token of the one after (empty at the end).
export function moreButton(token, loadPage) {
  const button = h('button', {type: 'button', class: 'more'}, 'Show more');
  const box = h('p', {class: 'more-box'}, button);
  let next = token;
  box.hidden = !next;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      next = await loadPage(next);
      box.hidden = !next;
    } catch (err) {
      partFailed(box, err);
    }
    button.disabled = false;
  });
  return box;
}

// One finding: severity, name, summary, what it rests on (an agent's
// finding: f.source; a site's: `sources`, one per affected agent), the
// affected agents (links), the evidence and what to do.
export function findingCard(f, agentLinks, sources) {
  const restsOn = (i) => (sources && sources[i] ? ' (' + sourceName(sources[i]) + ')' : '');
  return h('article', {class: 'finding', 'data-finding': f.code || '', 'data-source': f.source || ''},
      h('h3', {}, severityBadge(f.severity), ' ', findingName(f.code)),
      f.summary && h('p', {class: 'summary'}, f.summary),
      f.source && h('p', {class: 'rests-on'}, 'Rests on: ', h('strong', {}, sourceName(f.source))),
      agentLinks && agentLinks.length > 0 && h('p', {class: 'affected'}, 'Affected: ',
          agentLinks.map((id, i) => [i ? ', ' : '', link(['agent', id], id, {'data-agent': id}),
            h('span', {class: 'rests-on', 'data-source': (sources && sources[i]) || ''}, restsOn(i))])),
      (f.evidence || []).length > 0 && h('details', {class: 'evidence-box', open: true},
          h('summary', {}, 'Evidence'),
          h('ul', {class: 'evidence'}, f.evidence.map((e) => h('li', {}, e)))),
      f.remediation && h('p', {class: 'remediation'}, h('strong', {}, 'What to do: '), f.remediation));
}

export function problemList(problems) {
  return [h('span', {class: 'badge health-bad'}, 'needs attention'),
    h('ul', {class: 'problems'}, problems.map((p) => h('li', {}, p)))];
}
