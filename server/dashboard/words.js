// The API's values in words: numbers, enum names, findings, times, an
// agent's freshness and health.
import {h} from './dom.js';

// The analyzer's default freshness thresholds (analysis.proto Freshness).
const STALE_AFTER_MS = 15 * 60 * 1000;
const SILENT_AFTER_MS = 24 * 3600 * 1000;
const CLOCK_SKEW_WARN_S = 300;

// Proto3 JSON leaves zeros out and sends 64-bit integers as strings.
export const num = (v) => Number(v || 0);
export const pct = (share) => Math.round(num(share) * 100) + '%';
export const plural = (n, one, many) => n + ' ' + (num(n) === 1 ? one : (many || one + 's'));

// An enum's name as a word: word('MAPPING_NO_NAT', 'MAPPING_') is 'no-nat'.
export function word(v, prefix) {
  const name = v === undefined || v === null || v === '' ? 'UNKNOWN' : String(v);
  return (name.startsWith(prefix) ? name.slice(prefix.length) : name).toLowerCase().replace(/_/g, '-');
}

const FINDINGS = {
  FINDING_UDP_BLOCKED: 'UDP blocked',
  FINDING_QUIC_BLOCKED: 'QUIC blocked',
  FINDING_OUTBOUND_PORTS_RESTRICTED: 'Outbound ports restricted',
  FINDING_OUTBOUND_IPS_RESTRICTED: 'Outbound destinations restricted',
  FINDING_DOUBLE_NAT: 'Double NAT',
  FINDING_CGNAT: 'Carrier-grade NAT',
  FINDING_ENDPOINT_DEPENDENT_MAPPING: 'Endpoint-dependent mapping (symmetric NAT)',
  FINDING_AWS_NAT_GATEWAY: 'AWS NAT gateway',
  FINDING_STUN_DISCOVERY_UNAVAILABLE: 'STUN discovery unavailable',
  FINDING_LOG_PROBE_DISAGREE: 'Product log and probe disagree',
  FINDING_RELAYED_DESPITE_COMPATIBLE: 'Relayed although compatible',
};
export const findingName = (code) => FINDINGS[code] || word(code, 'FINDING_').replace(/-/g, ' ');

const VERDICTS = {
  PAIR_VERDICT_DIRECT: 'direct',
  PAIR_VERDICT_DIRECT_UNRELIABLE: 'direct, unreliable',
  PAIR_VERDICT_RELAY_ONLY: 'relay only',
};
export const verdictName = (v) => VERDICTS[v] || 'cannot tell';

// What a verdict or finding rests on (EvidenceSource), as the CLI says it.
const SOURCES = {
  EVIDENCE_SOURCE_PROBE: 'probe',
  EVIDENCE_SOURCE_LOG: 'log',
  EVIDENCE_SOURCE_BOTH_AGREE: 'probe and log agree',
  EVIDENCE_SOURCE_BOTH_DISAGREE: 'probe and log disagree',
};
export const sourceName = (v) => SOURCES[v] || 'nothing known';
export const stunName = (v) => word(v || 'STUN_DISCOVERY_UNKNOWN', 'STUN_DISCOVERY_');
export const mappingName = (v) => (v === 'MAPPING_NO_NAT' ? 'no NAT' : word(v, 'MAPPING_'));
// How sure a verdict is, in the probe output's words; '' when not judged.
const SURE = {CONFIDENCE_HIGH: 'confident', CONFIDENCE_MEDIUM: 'likely', CONFIDENCE_LOW: 'uncertain'};
export const sureName = (v) => SURE[v] || '';
// "endpoint-independent (confident)", or the name alone.
export const withSure = (name, v) => (sureName(v) ? name + ' (' + sureName(v) + ')' : name);
export const roleName = (v) => word(v, 'ROLE_');

export function severityBadge(severity) {
  const w = word(severity || 'SEVERITY_UNSPECIFIED', 'SEVERITY_');
  return h('span', {class: 'badge sev-' + w}, w === 'unspecified' ? 'note' : w);
}

export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = num(n), u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return (u ? v.toFixed(1) : String(v)) + ' ' + units[u];
}

// ---- Time.
function ago(ms) {
  const secs = Math.max(0, Math.round(ms / 1000));
  if (secs < 60) return 'just now';
  if (secs < 3600) return Math.round(secs / 60) + ' min ago';
  if (secs < 172800) return Math.round(secs / 3600) + ' h ago';
  return Math.round(secs / 86400) + ' days ago';
}

// A timestamp as "3 min ago", the exact time on hover.
export function timeEl(ts) {
  if (!ts) return h('span', {class: 'muted'}, 'never');
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return h('span', {}, ts);
  return h('time', {datetime: ts, title: new Date(t).toISOString()}, ago(Date.now() - t));
}

// ---- Agents.
export function freshnessOf(agent) {
  if (agent.freshness && agent.freshness !== 'FRESHNESS_UNSPECIFIED') return agent.freshness;
  const t = Date.parse(agent.lastSeen || '');
  if (Number.isNaN(t)) return 'FRESHNESS_SILENT';
  const age = Date.now() - t;
  if (age > SILENT_AFTER_MS) return 'FRESHNESS_SILENT';
  return age > STALE_AFTER_MS ? 'FRESHNESS_STALE' : 'FRESHNESS_FRESH';
}

function problemText(p) {
  if (typeof p === 'string') return p;
  if (p && typeof p === 'object') {
    return p.message || p.summary || p.description || p.detail || p.code || JSON.stringify(p);
  }
  return String(p);
}

// An agent's health: the server's own block when it sends one
// (health.healthy, health.problems), else what AgentState shows.
export function healthOf(agent) {
  const health = agent.health;
  if (health && typeof health === 'object') {
    const problems = (health.problems || []).map(problemText);
    const healthy = typeof health.healthy === 'boolean' ? health.healthy : problems.length === 0;
    if (!healthy && problems.length === 0) problems.push('the server judges this agent unhealthy');
    return {healthy, problems};
  }
  const problems = [];
  const freshness = freshnessOf(agent);
  if (freshness === 'FRESHNESS_SILENT') problems.push('silent: nothing received for over 24 hours');
  else if (freshness === 'FRESHNESS_STALE') problems.push('stale: nothing received for over 15 minutes');
  if (num(agent.batchConflicts) > 0) {
    problems.push(plural(num(agent.batchConflicts), 'batch conflict') +
        ': a cloned or restored agent (see natscope-agent status on the host)');
  }
  const skew = num(agent.clockSkewSeconds);
  if (Math.abs(skew) > CLOCK_SKEW_WARN_S) {
    problems.push('clock ' + Math.abs(skew) + ' s ' + (skew > 0 ? 'ahead of' : 'behind') + ' the server');
  }
  if (!agent.latestProbe) problems.push('no probe report received yet');
  return {healthy: problems.length === 0, problems};
}
