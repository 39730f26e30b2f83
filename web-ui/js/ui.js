// Small DOM and formatting helpers shared by the views.

/** h('a', {href: '#/', class: 'x', dataset: {testid: 'y'}}, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') el.style.cssText = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat().filter((c) => c != null && c !== false));
  return el;
}

/** Sets text only when it changed, so steady polling does not touch the DOM. */
export function text(el, value) {
  const s = value == null ? '' : String(value);
  if (el.textContent !== s) el.textContent = s;
}

export function attr(el, name, value) {
  if (value == null) { if (el.hasAttribute(name)) el.removeAttribute(name); }
  else if (el.getAttribute(name) !== String(value)) el.setAttribute(name, value);
}

/** Durations the way the CLI prints them: 14ms, 1.2s, 2m 05s, 1h 02m. */
export function duration(ms) {
  if (ms == null || Number.isNaN(ms)) return '';
  ms = Math.max(0, Math.round(ms));
  if (ms < 1000) return `${ms}ms`;
  if (ms < 10000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** "14:02:11" today, "Nov 21 14:02" another day. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? timeFmt.format(d) : `${dayFmt.format(d)} ${timeFmt.format(d).slice(0, 5)}`;
}

/** hh:mm:ss.mmm for the event log (the milliseconds in their own span, which narrow screens hide). */
export function clock(iso) {
  const d = new Date(iso);
  return [timeFmt.format(d), h('span', { class: 'ms' }, `.${String(d.getMilliseconds()).padStart(3, '0')}`)];
}

export function timeEl(iso) {
  return h('time', { datetime: iso ?? '', title: iso ? new Date(iso).toLocaleString() : '' }, when(iso));
}

const STATUS = {
  RUNNING: ['Running', '▶'],
  PAUSED: ['Paused', '❚❚'],
  AWAITING_PROMOTION: ['Awaiting promotion', '⏳'],
  ROLLING_BACK: ['Rolling back', '↺'],
  SUCCEEDED: ['Succeeded', '✓'],
  FAILED: ['Failed', '✕'],
  ABORTED: ['Aborted', '■'],
  ROLLED_BACK: ['Rolled back', '↩'],
};

/** A status badge: an icon and a word as well as a colour. */
export function statusBadge(el, status) {
  const [label, icon] = STATUS[status] ?? [status ?? 'Unknown', '•'];
  el.className = `badge status-${(status ?? 'unknown').toLowerCase()}`;
  attr(el, 'data-status', status);
  if (el.dataset.label !== label) {
    el.dataset.label = label;
    el.replaceChildren(h('span', { 'aria-hidden': 'true', class: 'icon' }, icon), label);
  }
  return el;
}

export const statusLabel = (s) => (STATUS[s] ?? [s])[0];

export function announce(message) {
  const el = document.getElementById('announcer');
  el.textContent = '';
  // a separate task so screen readers notice the same message twice
  setTimeout(() => { el.textContent = message; }, 50);
}

export function loading(label) {
  return h('p', { class: 'muted loading', role: 'status' }, label);
}

export function errorPanel(message) {
  return h('p', { class: 'panel error', role: 'alert' }, message);
}
