// Trends over time, drawn as inline SVG: the share of clients that can go
// peer-to-peer, and the agents affected per finding (GET /v1/trend and
// /v1/sites/NAME/trend: `points` and `findings`, at the same times).
import {api} from './api.js';
import {append, h, s, section, view} from './dom.js';
import {partFailed} from './session.js';
import {findingName, num, pct, plural} from './words.js';

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
const SERIES_COLOURS = 10;  // style.css: .series-0 to .series-9

// A chart over [from, to] with horizontal grid lines at `ticks` (values
// from 0 to yMax, labelled by `label`) and the window's first and last day
// under it. As wide as the page (up to 820 px) so that its text stays
// readable; the CSS scales it down on a phone.
function frame(attrs, height, from, to, ticks, yMax, label) {
  const W = Math.round(Math.max(300, Math.min(820, view.clientWidth - 60)));
  const H = height, L = 44, R = 14, T = 10, B = 26;
  const x = (t) => L + (to > from ? (t - from) / (to - from) : 0.5) * (W - L - R);
  const y = (v) => T + (1 - Math.max(0, Math.min(1, num(v) / yMax))) * (H - T - B);
  const svg = s('svg', Object.assign({viewBox: `0 0 ${W} ${H}`, role: 'img'}, attrs));
  for (const v of ticks) {
    svg.appendChild(s('line', {x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid'}));
    svg.appendChild(s('text', {x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis'}, label(v)));
  }
  const day = (t) => new Date(t).toISOString().slice(0, 10);
  svg.appendChild(s('text', {x: L, y: H - 6, class: 'axis'}, day(from)));
  svg.appendChild(s('text', {x: W - R, y: H - 6, 'text-anchor': 'end', class: 'axis'}, day(to)));
  return {svg, x, y, width: W - L - R};
}

// The points with a valid time, as [time in ms, point].
const timed = (points) => points.map((p) => [Date.parse(p.time), p]).filter(([t]) => !Number.isNaN(t));

// Lines through the points, broken where an interval has no point (no
// data), and a dot with a tooltip at each point. With more points than
// one per 6 px of the chart's `width`, the dots on lines show only when
// hovered (a point alone between gaps stays shown).
function line(points, value, tooltip, {x, y, width}, stepMs, cls) {
  const segments = [];
  let last = null;
  for (const [t, p] of points) {
    if (last === null || t - last > 1.5 * stepMs) segments.push([]);
    segments[segments.length - 1].push([t, p]);
    last = t;
  }
  const dense = points.length * 6 > width;
  const nodes = segments.filter((seg) => seg.length > 1).map((seg) => s('polyline', {class: cls + '-line',
    points: seg.map(([t, p]) => x(t).toFixed(1) + ',' + y(value(p)).toFixed(1)).join(' ')}));
  for (const seg of segments) {
    for (const [t, p] of seg) {
      nodes.push(s('circle', {cx: x(t).toFixed(1), cy: y(value(p)).toFixed(1), r: 3,
        class: cls + '-dot' + (dense && seg.length > 1 ? ' hover-only' : '')}, s('title', {}, tooltip(p))));
    }
  }
  return nodes;
}

// The peer-to-peer share, 0 to 100 %.
function shareChart(points, from, to, stepMs) {
  const chart = frame({class: 'trend-chart', id: 'trend-chart', 'data-points': points.length,
    'aria-label': 'peer-to-peer share over time'}, 200, from, to, [0, 0.25, 0.5, 0.75, 1], 1,
  (v) => Math.round(v * 100) + '%');
  const share = (p) => p.p2pCapableShare;
  const tooltip = (p) => p.time + ': ' + pct(p.p2pCapableShare) + ' (' + num(p.p2pCapableClients) + ' of ' +
      plural(num(p.clients), 'client') + ')';
  return append(chart.svg, line(timed(points), share, tooltip, chart, stepMs, 'trend'));
}

// Grid values for counts up to `max`: steps of 1, 2 or 5 times a power of
// ten, at most 5 lines.
function countTicks(max) {
  let step = 0;
  for (let k = 1; !step; k *= 10) step = [k, 2 * k, 5 * k].find((c) => max / c <= 4) || 0;
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  return {ticks, top};
}

const colour = (i) => 'series-' + (i % SERIES_COLOURS);
const latestOf = (series) => num(((series.points || [])[(series.points || []).length - 1] || {}).agents);

// Agents affected per finding: one line per code, the most important drawn
// on top, with a legend; a table when there is only one time. Each series
// carries data-finding (the code) and data-latest (its last count).
function findingTrend(series, points, from, to, stepMs) {
  const name = (f) => findingName(f.code);
  const figure = (form, ...children) => h('figure', {class: 'finding-trend', 'data-chart': 'finding-trend',
    'data-form': form, 'data-points': points.length, 'data-series': series.length}, ...children);
  if (series.length === 0) {
    return figure('none', h('figcaption', {class: 'muted'}, points.length ?
        'No agent had a finding in this window.' : 'No points yet in this window.'));
  }
  if (points.length <= 1) {
    const at = points.length ? points[0].time : '';
    return figure('table', h('figcaption', {class: 'muted'}, 'One point in this window so far',
        at ? ' (' + at.replace('T', ' ').replace(/:00(\.0+)?Z$/, ' UTC') + ')' : '', ': agents affected then.'),
    h('table', {class: 'finding-trend-table'},
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Finding'), h('th', {scope: 'col'}, 'Agents'))),
        h('tbody', {}, series.map((f, i) => h('tr', {'data-finding': f.code || '', 'data-latest': latestOf(f)},
            h('th', {scope: 'row'}, h('span', {class: 'swatch ' + colour(i), 'aria-hidden': 'true'}), name(f)),
            h('td', {class: 'num'}, num(latestOf(f))))))));
  }
  const max = Math.max(1, ...series.flatMap((f) => (f.points || []).map((p) => num(p.agents))));
  const {ticks, top} = countTicks(max);
  const chart = frame({class: 'trend-chart finding-chart', 'aria-label': 'agents affected per finding over time'},
      180, from, to, ticks, top, String);
  for (let i = series.length - 1; i >= 0; i--) {
    const f = series[i];
    const tooltip = (p) => name(f) + ': ' + plural(num(p.agents), 'agent') + ' at ' + p.time;
    chart.svg.appendChild(s('g', {class: 'series ' + colour(i), 'data-finding': f.code || '', 'data-latest': latestOf(f)},
        line(timed(f.points || []), (p) => p.agents, tooltip, chart, stepMs, 'series')));
  }
  return figure('chart', chart.svg, h('figcaption', {}, h('ul', {class: 'legend'}, series.map((f, i) =>
    h('li', {'data-legend': f.code || ''}, h('span', {class: 'swatch ' + colour(i), 'aria-hidden': 'true'}),
        name(f), ' ', h('span', {class: 'muted'}, '(latest: ' + latestOf(f) + ')'))))));
}

// A card with both trends of `path` and buttons for the last 7 days hourly
// (the default) or the last 90 days daily. Loads on its own; its
// data-state is "loading", "ready" or "error".
export function trendSection(path, title) {
  const body = h('div', {class: 'trend-body'}, h('p', {class: 'muted'}, 'Loading…'));
  const box = section(title, 'trend', body);
  const load = async (daily) => {
    box.dataset.state = 'loading';
    const to = Date.now();
    const stepMs = daily ? DAY_MS : HOUR_MS;
    const from = to - (daily ? 90 : 7) * DAY_MS;
    try {
      const trend = await api(path, {
        granularity: daily ? 'TREND_GRANULARITY_DAILY' : 'TREND_GRANULARITY_HOURLY',
        from: new Date(from).toISOString(), to: new Date(to).toISOString()});
      const points = trend.points || [];
      const latest = points[points.length - 1];
      const toggle = h('p', {class: 'toggle'},
          h('button', {type: 'button', class: daily ? '' : 'active', onclick: () => load(false)}, 'Last 7 days, hourly'),
          h('button', {type: 'button', class: daily ? 'active' : '', onclick: () => load(true)}, 'Last 90 days, daily'));
      body.replaceChildren(toggle, latest ?
          h('p', {class: 'latest'}, 'Latest: ', h('strong', {}, pct(latest.p2pCapableShare)),
              ' of clients can go peer-to-peer (', num(latest.p2pCapableClients), ' of ', num(latest.clients), ')') :
          h('p', {class: 'muted'}, 'No points yet in this window: the server records one per site and hour.'),
      shareChart(points, from, to, stepMs),
      h('h3', {class: 'chart-title'}, 'Agents affected per finding'),
      findingTrend(trend.findings || [], points, from, to, stepMs));
      box.dataset.state = 'ready';
    } catch (err) {
      partFailed(body, err);
      box.dataset.state = 'error';
    }
  };
  load(false);
  return box;
}
