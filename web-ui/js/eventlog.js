// The event log of one rollout, for 30 or 30,000 events: a text filter and a list that follows the newest line
// unless the reader scrolled up. Only the lines in view exist in the DOM: every line has the same height (its detail
// is cut to one line, whole in its title and its text), lines are pooled and placed by their index, so a busy stream
// costs a few rows of DOM per frame, not thousands. add() is O(1) per event; render() runs at most once per frame.
import { h, text, attr, duration } from './ui.js';

const OVERSCAN = 4;
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** @param max the lines kept (the oldest go first) */
export function eventLog(max) {
  let all = [];      // every line kept, oldest first: { e, search }
  let matched = [];  // the lines that match the filter (all of them without one)
  let passed = 0;    // lines that ever matched the filter, the ones trimmed away included
  let count = 0;     // events ever added
  let query = '';
  let stick = true;  // following the newest line
  let dirty = false;
  let rowH = 20;
  let viewH = 400;
  let scrollTop = 0;
  let applied = 0;   // the scrollTop the viewport has: kept, never read back after a write (no forced layout)
  let pending = null; // the scrollTop to apply once the list's new height is laid out
  const shown = new Map(); // line -> row element in the DOM now
  const pool = [];

  const filter = h('input', {
    id: 'log-filter', type: 'search', class: 'filter-input', placeholder: 'web-12, restart, failed…',
    autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'log-count', dataset: { testid: 'log-filter' },
  });
  filter.addEventListener('input', () => { query = filter.value.trim().toLowerCase(); refilter(); });
  // not a live region: it changes with every frame of a busy stream
  const countEl = h('span', { id: 'log-count', class: 'muted small num', dataset: { testid: 'log-count' } });
  const jump = h('button', { type: 'button', class: 'btn btn-small jump', hidden: true, dataset: { testid: 'log-jump' } }, 'New events ↓');
  jump.addEventListener('click', () => { stick = true; jump.hidden = true; changed(); });
  const tools = h('div', { class: 'host-tools' }, h('label', { for: 'log-filter', class: 'filter-label' }, 'Filter events'), filter, countEl);
  const list = h('ol', { class: 'log-lines', 'aria-label': 'Event log, newest at the bottom' });
  const viewport = h('div', { class: 'log', tabindex: '0', role: 'region', 'aria-labelledby': 'log-title', dataset: { testid: 'event-log' } }, list);
  viewport.addEventListener('scroll', () => {
    const top = viewport.scrollTop; // read in the scroll event, where the layout is clean
    if (Math.abs(top - applied) < 1) return; // our own scroll to the newest line
    applied = top;
    scrollTop = top;
    stick = scrollTop + viewH >= lines() * rowH - rowH;
    if (stick) jump.hidden = true;
    changed();
  }, { passive: true });

  let request = () => {};
  new ResizeObserver(() => {
    // the only layout reads: on a resize, never per event or per frame
    viewH = viewport.clientHeight || viewH;
    const px = parseFloat(getComputedStyle(list).getPropertyValue('--log-row-h'));
    if (px > 0) rowH = px;
    changed();
  }).observe(viewport);

  // the scroll to the newest line after the list grew: applied when the browser has laid out the new height anyway
  // (resize observations come after layout, before paint), so setting scrollTop forces no layout of its own
  new ResizeObserver(() => {
    if (pending == null) return;
    if (Math.abs(applied - pending) >= 1) { applied = pending; viewport.scrollTop = pending; }
    pending = null;
  }).observe(list);

  function changed() { dirty = true; request(); }

  const lines = () => Math.min(max, matched.length);
  const firstShown = () => passed - lines(); // the first line in the list, counted over every line that matched

  function matches(line) {
    if (!query) return true;
    const e = line.e;
    line.search ??= `${e.host ?? ''} ${e.step ?? ''} ${e.outcome ?? ''} ${e.detail ?? ''}`.toLowerCase();
    return line.search.includes(query);
  }

  function refilter() {
    matched = query ? all.filter(matches) : all;
    passed = matched.length;
    stick = true;
    jump.hidden = true;
    changed();
  }

  /** Events in the order they happened; trimmed to the last `max` now and then (amortised O(1) per event). */
  function add(events) {
    if (!events.length) return;
    const before = firstShown();
    let added = 0;
    for (const e of events) {
      const line = { e, search: null };
      all.push(line);
      if (!query) added++;
      else if (matches(line)) { matched.push(line); added++; }
    }
    passed += added;
    count += events.length;
    if (all.length > 2 * max) {
      all = all.slice(-max);
      if (query && matched.length > max) matched = matched.slice(-max);
    }
    if (!query) matched = all;
    if (!stick && added) {
      // the lines under the reader's eyes stay put: when the oldest ones go, the view moves up with them
      scrollTop = Math.max(0, scrollTop - (firstShown() - before) * rowH);
      jump.hidden = false;
    }
    changed();
  }

  function row() {
    const ms = h('span', { class: 'ms' });
    const time = h('time', {});
    const el = h('li', { class: 'ev' }, time,
      h('span', { class: 'ev-host' }), h('span', { class: 'ev-step' }), h('span', { class: 'ev-out' }),
      h('span', { class: 'ev-took num' }), h('span', { class: 'ev-detail' }));
    const [, host, step, out, took, detail] = el.children;
    el._ui = { time, ms, host, step, out, took, detail };
    return el;
  }

  function bind(el, line, i, n) {
    attr(el, 'aria-posinset', i + 1);
    attr(el, 'aria-setsize', n);
    if (el._line === line) return;
    el._line = line;
    const e = line.e;
    const ui = el._ui;
    const outcome = (e.outcome ?? '').toLowerCase();
    el.className = `ev out-${outcome}`;
    el.dataset.seq = e.seq ?? '';
    const d = new Date(e.at);
    ui.time.dateTime = e.at ?? '';
    ui.time.replaceChildren(timeFmt.format(d), ui.ms);
    ui.ms.textContent = `.${String(d.getMilliseconds()).padStart(3, '0')}`;
    text(ui.host, e.host ?? '—');
    text(ui.step, e.step);
    text(ui.out, outcome === 'started' ? '…' : outcome);
    text(ui.took, e.tookMs == null ? '' : duration(e.tookMs));
    text(ui.detail, e.detail ?? '');
    attr(ui.detail, 'title', e.detail || null);
  }

  /** Draws the lines in view; reads nothing back from the layout. */
  function render() {
    if (!dirty) return;
    dirty = false;
    const n = lines();
    const offset = matched.length - n;
    const height = n * rowH;
    const bottom = Math.max(0, height - viewH);
    scrollTop = stick ? bottom : Math.min(scrollTop, bottom);
    if (list._h !== height) {
      list._h = height;
      list.style.height = `${height}px`;
      pending = scrollTop;
    } else if (Math.abs(applied - scrollTop) >= 1) {
      applied = scrollTop;
      viewport.scrollTop = scrollTop; // the reader jumped to the newest line, or the filter changed: a layout now is fine
    }
    attr(viewport, 'data-filter', query); // which filter the lines in the DOM answer
    text(countEl, `${count} event${count === 1 ? '' : 's'}${query ? ` · ${matched.length} match${matched.length === 1 ? '' : 'es'}` : ''}`
      + `${matched.length > n ? ` · last ${n} shown` : ''}`);
    const first = Math.max(0, Math.floor(scrollTop / rowH) - OVERSCAN);
    const last = Math.min(n, Math.ceil((scrollTop + viewH) / rowH) + OVERSCAN);
    const wanted = new Map();
    for (let i = first; i < last; i++) wanted.set(matched[offset + i], i);
    for (const [line, el] of shown) {
      if (!wanted.has(line)) { shown.delete(line); el.remove(); pool.push(el); }
    }
    for (const [line, i] of wanted) {
      let el = shown.get(line);
      if (!el) {
        el = pool.pop() ?? row();
        shown.set(line, el);
        list.append(el);
      }
      el._index = i;
      if (el._y !== i * rowH) { el._y = i * rowH; el.style.transform = `translateY(${el._y}px)`; }
      bind(el, line, i, n);
    }
    // DOM order follows the log's order, for screen readers and the tab order (new lines at the end need no move)
    let sorted = true;
    for (let el = list.firstElementChild; el?.nextElementSibling; el = el.nextElementSibling) {
      if (el._index > el.nextElementSibling._index) { sorted = false; break; }
    }
    if (!sorted) list.replaceChildren(...[...shown.values()].sort((a, b) => a._index - b._index));
  }

  return {
    parts: { tools, viewport, jump },
    onRequest(fn) { request = fn; },
    add, render,
    size: () => lines(),
  };
}
