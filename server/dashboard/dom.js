// Building the page. Everything the server sends is treated as hostile: text
// reaches the DOM through text nodes and attribute values only (never parsed
// as HTML), and the only links built are "#/..." with encodeURIComponent'd
// names. No inline script or style: the server's CSP allows only this
// origin's files (docs/dashboard.md).

export const view = document.getElementById('view');
export const nav = document.getElementById('nav');

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.setAttribute('class', v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
}

// Appends children (nodes, or anything else as text), nested arrays
// flattened; undefined, null and false are skipped.
export function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// An HTML element: h('p', {class: 'muted'}, 'text', child, ...).
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  return append(node, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';
// An SVG element, as h.
export function s(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  return append(node, children);
}

// A link to one of the dashboard's pages: link(['site', name], text).
export function link(route, text, attrs) {
  return h('a', Object.assign({href: '#/' + route.map(encodeURIComponent).join('/')}, attrs), text);
}

// A cell labelled for the phone layout (style.css shows the label).
export function td(label, attrs, ...children) {
  return h('td', Object.assign({'data-label': label}, attrs), h('div', {class: 'cell'}, ...children));
}

export function table(cls, headers, tbody) {
  return h('div', {class: 'table-wrap'}, h('table', {class: cls},
      h('thead', {}, h('tr', {}, headers.map((x) => h('th', {scope: 'col'}, x)))), tbody));
}

export function section(title, id, ...children) {
  return h('section', {class: 'card', id}, h('h2', {}, title), ...children);
}

// Replaces the page: `name` and `state` ("loading", "ready", "error") go to
// #view's data-view and data-state, which the browser test waits on.
export function show(name, state, nodes) {
  view.dataset.view = name;
  view.dataset.state = state;
  view.replaceChildren(...nodes.flat(Infinity).filter((n) => n instanceof Node));
}
