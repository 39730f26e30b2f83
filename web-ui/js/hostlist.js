// The hosts of one rollout, for 3 or 3,000 of them: a summary bar of states (counts, click to filter), a text
// filter, and a list grouped by batch with the hosts of each batch ordered by state. Only the rows in view exist
// in the DOM: every row has the same height, rows are pooled and moved, so the DOM stays the same size whatever
// the fleet. Events change a host's model and mark it dirty in O(1); render() runs at most once per frame.
import { h, text, attr, duration, clock } from './ui.js';

const HOOK = new Set(['BEFORE_HOST', 'AFTER_HOST']);
export const stepClass = (step) => `step-${HOOK.has(step) ? 'hook' : step.toLowerCase()}`;
const ICON = {
  PENDING: '○', PREPARED: '○', DONE: '✓', RESTORED: '↩', PARKED: '⚠', ROLLED_BACK: '↺', SKIPPED: '–',
};
export const label = (name) => name.charAt(0).toUpperCase() + name.slice(1).toLowerCase().replaceAll('_', ' ');
const SETTLED = /^(DONE|ROLLED_BACK|RESTORED|PARKED|SKIPPED)$/;
// inside a batch: the hosts that need eyes first (failed, then moving), then waiting, then finished
const RANK = {
  RESTORING: 0, PARKED: 0, RESTORED: 1,
  LEAVING: 2, PROPAGATING: 2, RESTARTING: 2, CHECKING: 2, JOINING: 2, JOINED: 2,
  PENDING: 3, PREPARED: 3, DONE: 4, ROLLED_BACK: 4, SKIPPED: 5,
};
const OVERSCAN = 6;
const WAITING = 'waiting';

/**
 * @param words     the vocabulary (host states with their meanings, in the engine's order)
 * @param timeline  { t0(), now() }: the rollout's start and the server's clock, for the bars
 */
export function hostList(words, timeline) {
  const hosts = new Map();
  const counts = new Map(words.hostStates.map((s) => [s.name, 0]));
  const groups = new Map(); // batch key -> { key, name, order, hosts: Set, counts: Map, collapsed }
  const waiting = group(WAITING, 'Not started', Number.MAX_SAFE_INTEGER);
  const chosen = new Set(); // states picked in the summary bar
  let query = '';
  let items = [];           // the flattened list: { kind: 'group', g } | { kind: 'host', m }
  let structure = true;     // items must be rebuilt (membership, order or filter changed)
  let dirty = false;
  let selected = null;
  let rowH = 44;
  let scrollTop = 0;
  let viewH = 600;
  let tickRunning = false;
  let refilter = true;      // every group's members must be filtered and sorted anew (the filter changed)
  const shown = new Map(); // item key -> row element in the DOM now
  const pool = { host: [], group: [] };

  // ---- the page ----------------------------------------------------------------------------------
  const chips = new Map();
  const summary = h('div', { class: 'state-bar', role: 'group', 'aria-label': 'Hosts by state: pick states to show only those', dataset: { testid: 'state-summary' } });
  const meter = h('div', { class: 'state-meter', 'aria-hidden': 'true' });
  const segments = new Map();
  for (const s of words.hostStates) {
    const n = h('span', { class: 'num chip-n' }, '0');
    const chip = h('button', {
      type: 'button', class: `chip state state-${s.name.toLowerCase()}`, 'aria-pressed': 'false', title: s.meaning, hidden: true,
      dataset: { testid: `state-chip-${s.name}`, state: s.name },
    }, h('span', { class: 'icon', 'aria-hidden': 'true' }, ICON[s.name] ?? '◐'), label(s.name), ' ', n);
    chip.addEventListener('click', () => {
      if (chosen.has(s.name)) chosen.delete(s.name); else chosen.add(s.name);
      chip.setAttribute('aria-pressed', String(chosen.has(s.name)));
      changed();
    });
    chips.set(s.name, { chip, n });
    summary.append(chip);
    const seg = h('span', { class: `seg state-${s.name.toLowerCase()}` });
    segments.set(s.name, seg);
    meter.append(seg);
  }
  const filter = h('input', {
    id: 'host-filter', type: 'search', class: 'filter-input', placeholder: 'web-12, restarting, 10.0.3…',
    autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'host-filter-count', dataset: { testid: 'host-filter' },
  });
  filter.addEventListener('input', () => { query = filter.value.trim().toLowerCase(); changed(); });
  const shownCount = h('span', { id: 'host-filter-count', class: 'muted small num', role: 'status', dataset: { testid: 'host-count' } });
  const clear = h('button', { type: 'button', class: 'btn btn-quiet btn-small', hidden: true, dataset: { testid: 'filter-clear' } }, 'Show all');
  clear.addEventListener('click', () => {
    filter.value = ''; query = ''; chosen.clear();
    for (const { chip } of chips.values()) chip.setAttribute('aria-pressed', 'false');
    changed();
  });
  const tools = h('div', { class: 'host-tools' },
    h('label', { for: 'host-filter', class: 'filter-label' }, 'Filter hosts'), filter, clear, shownCount);

  const list = h('ul', { class: 'hosts', dataset: { testid: 'hosts' }, 'aria-labelledby': 'hosts-title' });
  const viewport = h('div', { class: 'host-viewport', dataset: { testid: 'host-viewport' } }, list);
  viewport.addEventListener('scroll', () => { scrollTop = viewport.scrollTop; dirty = true; request(); }, { passive: true });
  const detail = h('div', { class: 'host-detail', id: 'host-detail', hidden: true, dataset: { testid: 'host-detail' } });

  let request = () => {};
  new ResizeObserver(() => {
    // the only layout reads: on a resize, never per event or per frame
    viewH = viewport.clientHeight || viewH;
    const px = parseFloat(getComputedStyle(list).getPropertyValue('--row-h'));
    if (px > 0 && px !== rowH) { rowH = px; structure = true; }
    dirty = true;
    request();
  }).observe(viewport);

  function group(key, name, order) {
    // members: the group's hosts that match the filter, in order; null when they must be filtered and sorted anew
    const g = { key, name, order, hosts: new Set(), counts: new Map(), collapsed: false, members: null };
    groups.set(key, g);
    return g;
  }

  function changed() { structure = true; refilter = true; dirty = true; request(); }

  function count(g, state, by) {
    g.counts.set(state, (g.counts.get(state) ?? 0) + by);
  }

  // ---- the model -----------------------------------------------------------------------------------

  function model(id) {
    let m = hosts.get(id);
    if (!m) {
      m = { id, address: '', state: 'PENDING', step: null, version: null, target: null, steps: [], group: waiting, rev: 0, search: '' };
      hosts.set(id, m);
      waiting.hosts.add(m);
      waiting.members = null;
      m.item = { kind: 'host', key: `h:${id}`, m };
      counts.set('PENDING', (counts.get('PENDING') ?? 0) + 1);
      count(waiting, 'PENDING', 1);
      m.search = id.toLowerCase();
      structure = true;
    }
    return m;
  }

  function setState(m, state) {
    if (!state || state === m.state) return;
    counts.set(m.state, (counts.get(m.state) ?? 1) - 1);
    counts.set(state, (counts.get(state) ?? 0) + 1);
    count(m.group, m.state, -1);
    count(m.group, state, 1);
    if (RANK[state] !== RANK[m.state] || chosen.size || query) { structure = true; m.group.members = null; }
    m.state = state;
  }

  function setGroup(m, g) {
    if (m.group === g) return;
    m.group.hosts.delete(m);
    m.group.members = null;
    count(m.group, m.state, -1);
    g.hosts.add(m);
    g.members = null;
    count(g, m.state, 1);
    m.group = g;
    structure = true;
  }

  function touch(m) {
    m.rev++;
    dirty = true;
    // under a filter, what changed may change whether the host matches it
    if (query || chosen.size) { m.group.members = null; structure = true; }
  }

  /** A BATCH STARTED event: its detail names the batch and its hosts ("canary: a, b" or "batch 3: c, d"). */
  function batchStarted(e) {
    const detail = e.detail ?? '';
    const colon = detail.indexOf(': ');
    if (colon < 0) return;
    const name = detail.slice(0, colon);
    const key = name.replace(/ \(.*\)$/, '');
    const g = groups.get(key) ?? group(key, label(name), groups.size);
    const names = detail.slice(colon + 2).split(' — ')[0].split(', ');
    for (const id of names) if (id) setGroup(model(id), g);
    dirty = true;
  }

  function stepRecord(s) {
    const start = Date.parse(s.startedAt ?? s.at);
    return { step: s.step, outcome: s.outcome, start, took: s.outcome === 'STARTED' ? null : (s.tookMs ?? 0), detail: s.detail ?? null };
  }

  /** A host as the server's snapshot shows it; marks it dirty only when something it shows changed. */
  function take(hs) {
    const m = model(hs.id);
    const steps = hs.steps ?? [];
    const last = m.steps[m.steps.length - 1];
    const theirs = steps[steps.length - 1];
    const same = (hs.address ?? m.address) === m.address && (hs.state ?? m.state) === m.state && (hs.step ?? null) === m.step
      && (hs.version ?? null) === m.version && (hs.target ?? m.target) === m.target && steps.length === m.steps.length
      && (!theirs || (theirs.outcome === last.outcome && theirs.step === last.step));
    if (same) return m;
    if (hs.address && hs.address !== m.address) { m.address = hs.address; m.search = `${m.id} ${m.address}`.toLowerCase(); }
    setState(m, hs.state);
    m.step = hs.step ?? null;
    m.version = hs.version ?? null;
    m.target = hs.target ?? m.target;
    if (steps.length !== m.steps.length || theirs) m.steps = steps.map(stepRecord);
    touch(m);
    return m;
  }

  /** A host event from the stream: O(1) on the host's model (the step search looks back a few steps at most). */
  function apply(e) {
    const m = model(e.host);
    const at = Date.parse(e.at);
    if (e.outcome === 'STARTED') {
      m.steps.push({ step: e.step, outcome: 'STARTED', start: at, took: null, detail: e.detail ?? null });
      if (m.group === waiting && e.step !== 'PREPARE') setGroup(m, groupOfUnknownBatch());
    } else {
      let rec = null;
      for (let i = m.steps.length - 1; i >= 0; i--) {
        if (m.steps[i].step === e.step && m.steps[i].outcome === 'STARTED') { rec = m.steps[i]; break; }
      }
      if (!rec) {
        rec = { step: e.step, start: at - (e.tookMs ?? 0) };
        m.steps.push(rec);
      }
      rec.outcome = e.outcome;
      rec.took = e.tookMs ?? Math.max(0, at - rec.start);
      rec.detail = e.detail ?? null;
      if (e.step === 'RESTART' && e.outcome === 'OK') m.version = e.version ?? m.version;
    }
    m.step = e.step;
    // the state the engine says the host is in; the journal's later moves come with the server's snapshot
    let state = e.state;
    // ...except the one every host makes: the engine moves it to PREPARED right after its PREPARE succeeded
    if (e.step === 'PREPARE' && e.outcome === 'OK' && state === 'PENDING') state = 'PREPARED';
    setState(m, state);
    if (e.version) m.target = e.version;
    touch(m);
    return m;
  }

  /** A host that starts without a BATCH event naming it (an older server): the latest batch, else its own group. */
  function groupOfUnknownBatch() {
    let latest = null;
    for (const g of groups.values()) if (g !== waiting && (!latest || g.order > latest.order)) latest = g;
    return latest ?? groups.get('hosts') ?? group('hosts', 'Hosts', 0);
  }

  // ---- rendering -----------------------------------------------------------------------------------

  function matches(m) {
    if (chosen.size && !chosen.has(m.state)) return false;
    if (!query) return true;
    return m.search.includes(query) || m.state.toLowerCase().startsWith(query) || (m.step ?? '').toLowerCase().startsWith(query);
  }

  const byRank = (a, b) => (RANK[a.state] - RANK[b.state]) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  function flatten() {
    items = [];
    const ordered = [...groups.values()].filter((g) => g.hosts.size).sort((a, b) => a.order - b.order);
    const single = ordered.length === 1 && ordered[0] === waiting; // nothing started yet: no header needed
    let matched = 0;
    for (const g of ordered) {
      // only the groups whose members or their order changed are sorted again: an event sorts one batch, not the fleet
      if (refilter || !g.members) g.members = [...g.hosts].filter(matches).sort(byRank);
      const members = g.members;
      if (!members.length) continue;
      matched += members.length;
      if (!single) items.push({ kind: 'group', key: `g:${g.key}`, g, shown: members.length });
      if (g.collapsed && !single) continue;
      for (const m of members) items.push(m.item);
    }
    refilter = false;
    list.style.height = `${items.length * rowH}px`;
    const filtered = chosen.size || query;
    text(shownCount, filtered ? `${matched} of ${hosts.size} hosts` : `${hosts.size} host${hosts.size === 1 ? '' : 's'}`);
    clear.hidden = !filtered;
    structure = false;
  }

  function renderSummary() {
    const total = Math.max(1, hosts.size);
    for (const [state, n] of counts) {
      const c = chips.get(state);
      if (!c) continue;
      text(c.n, n);
      c.chip.hidden = n === 0 && !chosen.has(state);
      attr(c.chip, 'aria-label', `${label(state)}: ${n} host${n === 1 ? '' : 's'}`);
      const seg = segments.get(state);
      if (seg._n === n && seg._total === total) continue; // the same count draws the same segment
      seg._n = n;
      seg._total = total;
      seg.style.flexGrow = String(n);
      seg.hidden = n === 0;
      attr(seg, 'title', `${label(state)} ${n} (${Math.round((n / total) * 100)}%)`);
    }
  }

  function render() {
    if (!dirty && !structure) return;
    if (structure) flatten();
    dirty = false;
    renderSummary();
    const first = Math.max(0, Math.floor(scrollTop / rowH) - OVERSCAN);
    const last = Math.min(items.length, Math.ceil((scrollTop + viewH) / rowH) + OVERSCAN);
    const wanted = new Map();
    for (let i = first; i < last; i++) wanted.set(items[i].key, i);
    for (const [key, el] of shown) {
      if (!wanted.has(key)) { shown.delete(key); el.remove(); pool[el.dataset.kind].push(el); }
    }
    let order = false;
    for (const [key, i] of wanted) {
      const item = items[i];
      let el = shown.get(key);
      if (!el) {
        el = pool[item.kind].pop() ?? (item.kind === 'host' ? hostRow() : groupRow());
        shown.set(key, el);
        order = true;
      }
      if (el._index !== i) { el._index = i; order = true; }
      if (el._y !== i * rowH) { el._y = i * rowH; el.style.transform = `translateY(${el._y}px)`; } // rowH changes with the screen
      if (item.kind === 'host') bindHost(el, item.m); else bindGroup(el, item);
    }
    // DOM order follows the list order, for screen readers and the tab order: only the rows out of place move (a
    // moved row is laid out anew; the others only slide, and a transform needs no layout)
    if (order) {
      const staying = inOrder([...list.children]);
      let next = null;
      for (const el of [...shown.values()].sort((a, b) => b._index - a._index)) {
        if (!staying.has(el)) list.insertBefore(el, next);
        next = el;
      }
    }
    if (selected && selected.shownRev !== selected.rev) renderDetail();
    tickRunning = false;
  }

  /** The longest run of rows already in list order (by _index): the rows that need not move. */
  function inOrder(rows) {
    const tails = [];  // tails[k]: the row ending the best run of length k + 1
    const before = new Map();
    for (const el of rows) {
      let lo = 0, hi = tails.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (tails[mid]._index < el._index) lo = mid + 1; else hi = mid; }
      before.set(el, lo ? tails[lo - 1] : null);
      tails[lo] = el;
    }
    const run = new Set();
    for (let el = tails[tails.length - 1]; el; el = before.get(el)) run.add(el);
    return run;
  }

  function hostRow() {
    const name = h('span', { class: 'h-id mono' });
    const toggle = h('button', {
      type: 'button', class: 'h-toggle', 'aria-expanded': 'false', 'aria-controls': 'host-detail',
      title: 'Show the steps of this host',
    }, h('span', { class: 'chev', 'aria-hidden': 'true' }, '▸'), name);
    const row = h('li', { class: 'host', dataset: { kind: 'host' } },
      h('div', { class: 'h-name' }, toggle, h('span', { class: 'h-addr mono muted small' })),
      h('div', { class: 'h-step' }, h('span', { class: 'k' }, 'Step '), h('span', { class: 'mono', dataset: { testid: 'host-step' } }), h('span', { class: 'took muted num' })),
      h('div', { class: 'h-state' }, h('span', { class: 'state', dataset: { testid: 'host-state' } })),
      h('div', { class: 'h-version' }, h('span', { class: 'k' }, 'Version '), h('span', { class: 'mono', dataset: { testid: 'host-version' } })),
      h('div', { class: 'h-timeline' }, h('ol', { class: 'bars' })));
    toggle.addEventListener('click', () => select(row._m));
    row._ui = {
      name, toggle, addr: row.querySelector('.h-addr'), step: row.querySelector('[data-testid="host-step"]'),
      took: row.querySelector('.took'), state: row.querySelector('.state'), version: row.querySelector('[data-testid="host-version"]'),
      bars: row.querySelector('.bars'),
    };
    return row;
  }

  function bindHost(row, m) {
    const ui = row._ui;
    const fresh = row._m !== m;
    if (!fresh && row._rev === m.rev) {
      if (tickRunning) tickRow(row, m);
      return;
    }
    row._m = m;
    row._rev = m.rev;
    if (fresh) {
      row.dataset.testid = `host-${m.id}`;
      text(ui.name, m.id);
      attr(ui.bars, 'aria-label', `Steps of ${m.id}`);
    }
    text(ui.addr, m.address);
    attr(row, 'data-state', m.state);
    attr(row, 'data-step', m.step);
    attr(ui.toggle, 'aria-expanded', String(selected === m));
    if (ui.state.dataset.state !== m.state) {
      ui.state.dataset.state = m.state;
      ui.state.className = `state state-${m.state.toLowerCase()}`;
      ui.state.replaceChildren(h('span', { class: 'icon', 'aria-hidden': 'true' }, ICON[m.state] ?? '◐'), label(m.state));
      ui.state.title = words.hostStates.find((t) => t.name === m.state)?.meaning ?? '';
    }
    text(ui.step, m.step ?? '—');
    text(ui.version, (m.version ?? '—') + (m.target && m.target !== m.version && !SETTLED.test(m.state) ? ` → ${m.target}` : ''));
    const bars = ui.bars;
    while (bars.childElementCount > m.steps.length) bars.lastElementChild.remove();
    m.steps.forEach((rec, i) => {
      const el = bars.children[i] ?? bars.appendChild(h('li', { class: 'bar' }, h('span', { class: 'sr-only' })));
      const cls = `bar ${stepClass(rec.step)}`;
      if (el.className !== cls) el.className = cls;
      attr(el, 'data-step', rec.step);
      attr(el, 'data-outcome', rec.outcome);
      el.style.setProperty('--s', String(Math.max(0, rec.start - timeline.t0())));
      const title = stepTitle(rec);
      attr(el, 'title', title);
      text(el.firstChild, title.replace('\n', ': '));
    });
    tickRow(row, m);
  }

  /** What moves with the clock alone: the running step's bar and time. */
  function tickRow(row, m) {
    const ui = row._ui;
    const now = timeline.now();
    const lastRec = m.steps[m.steps.length - 1];
    text(ui.took, lastRec ? ` ${duration(lastRec.took ?? now - lastRec.start)}` : '');
    let end = 0;
    m.steps.forEach((rec, i) => {
      const d = Math.max(0, rec.took ?? now - rec.start);
      ui.bars.children[i]?.style.setProperty('--d', String(d));
      end = Math.max(end, rec.start + d);
    });
    if (m.steps.length) {
      const first = m.steps[0].start;
      row.style.setProperty('--h0', String(Math.max(0, first - timeline.t0())));
      row.style.setProperty('--hspan', String(Math.max(1, end - first)));
    }
  }

  function stepTitle(rec) {
    const took = rec.took == null ? 'running' : duration(rec.took);
    return `${rec.step} ${rec.outcome === 'STARTED' ? 'running' : rec.outcome.toLowerCase()} · ${took}${rec.detail ? `\n${rec.detail}` : ''}`;
  }

  function groupRow() {
    const toggle = h('button', { type: 'button', class: 'g-toggle', 'aria-expanded': 'true' },
      h('span', { class: 'chev', 'aria-hidden': 'true' }, '▾'), h('span', { class: 'g-name' }));
    const states = h('span', { class: 'g-states muted small num' });
    const row = h('li', { class: 'group', dataset: { kind: 'group' } }, toggle, states);
    toggle.addEventListener('click', () => {
      const g = row._g;
      g.collapsed = !g.collapsed;
      changed();
    });
    row._ui = { toggle, name: toggle.querySelector('.g-name'), states };
    return row;
  }

  function bindGroup(row, item) {
    const g = item.g;
    row._g = g;
    row.dataset.testid = `group-${g.key}`;
    const n = g.hosts.size;
    text(row._ui.name, `${g.name} · ${item.shown === n ? '' : `${item.shown} of `}${n} host${n === 1 ? '' : 's'}`);
    attr(row._ui.toggle, 'aria-expanded', String(!g.collapsed));
    const parts = [];
    for (const s of words.hostStates) {
      const k = g.counts.get(s.name);
      if (k) parts.push(`${k} ${label(s.name).toLowerCase()}`);
    }
    text(row._ui.states, parts.join(' · '));
  }

  // ---- one host's steps, below the list --------------------------------------------------------------

  function select(m) {
    selected = selected === m ? null : m;
    detail.hidden = !selected;
    for (const el of shown.values()) if (el._ui?.toggle) attr(el._ui.toggle, 'aria-expanded', String(el._m === selected));
    if (selected) renderDetail();
  }

  function renderDetail() {
    const m = selected;
    m.shownRev = m.rev;
    const now = timeline.now();
    detail.replaceChildren(
      h('div', { class: 'section-head' }, h('h3', {}, `Steps of `, h('span', { class: 'mono' }, m.id)),
        h('span', { class: 'muted small' }, `${label(m.state)} · ${m.address}`)),
      m.steps.length
        ? h('table', { class: 'steps' },
          h('caption', { class: 'sr-only' }, `Steps of ${m.id}`),
          h('thead', {}, h('tr', {}, ['Step', 'Outcome', 'Started', 'Took', 'Detail'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, m.steps.map((s) => h('tr', { class: `out-${s.outcome.toLowerCase()}` },
            h('td', { class: 'mono' }, s.step),
            h('td', {}, s.outcome === 'STARTED' ? 'running' : s.outcome.toLowerCase()),
            h('td', { class: 'mono' }, clock(new Date(s.start).toISOString())),
            h('td', { class: 'num' }, duration(s.took ?? now - s.start)),
            h('td', { class: 'detail' }, s.detail ?? '')))))
        : h('p', { class: 'muted small' }, 'No steps yet.'));
  }

  return {
    parts: { summary, meter, tools, viewport, list, detail },
    /** Called whenever something needs drawing; the view decides when (once per frame). */
    onRequest(fn) { request = fn; },
    take, apply, batchStarted, render,
    /** The clock moved: running bars and times of the rows in view (not the others) are redrawn. */
    tick() { tickRunning = true; dirty = true; },
    counts: () => counts,
    size: () => hosts.size,
  };
}
