// The rollout list: newest first, refreshed every 2 s, rows updated in place.
import { api } from './api.js';
import { h, text, attr, duration, when, statusBadge, errorPanel } from './ui.js';

export function rolloutList(main) {
  document.title = 'Rollouts · Baton';
  const status = h('p', { class: 'muted small', role: 'status', dataset: { testid: 'list-state' } }, 'Loading…');
  const body = h('tbody');
  const table = h('table', { class: 'rollouts', dataset: { testid: 'rollouts-table' } },
    h('caption', { class: 'sr-only' }, 'Rollouts, newest first'),
    h('thead', {}, h('tr', {},
      ...['Rollout', 'Service', 'Version', 'Status', 'Started', 'Duration', 'Hosts'].map((c) => h('th', { scope: 'col' }, c)))),
    body);
  const empty = h('div', { class: 'panel empty', hidden: true },
    h('p', {}, 'No rollouts yet.'),
    h('p', { class: 'muted small' }, 'Start one with ', h('code', {}, 'baton apply plan.yaml'), ' or POST a plan to ', h('code', {}, '/api/v1/rollouts'), '.'));
  const error = h('div');
  main.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, 'Rollouts'), status),
    error, empty, h('div', { class: 'table-wrap' }, table));

  const rows = new Map();
  let timer = 0;
  let stopped = false;
  let controller = null;

  function row(r) {
    let tr = rows.get(r.id);
    if (!tr) {
      const href = `#/rollouts/${encodeURIComponent(r.id)}`;
      tr = h('tr', { dataset: { testid: `rollout-row-${r.id}` } },
        h('th', { scope: 'row', 'data-label': 'Rollout' }, h('a', { href, class: 'mono' }, r.id)),
        h('td', { 'data-label': 'Service', class: 'c-service' }),
        h('td', { 'data-label': 'Version', class: 'mono c-version' }),
        h('td', { 'data-label': 'Status' }, h('span', { class: 'badge' })),
        h('td', { 'data-label': 'Started' }, h('time')),
        h('td', { 'data-label': 'Duration', class: 'num c-duration' }),
        h('td', { 'data-label': 'Hosts', class: 'c-hosts' }, h('div', { class: 'hosts-cell' },
          h('span', { class: 'meter', 'aria-hidden': 'true' }, h('span', { class: 'meter-done' }), h('span', { class: 'meter-failed' })),
          h('span', { class: 'num c-count' }))));
      // the whole row is a target for the pointer; the link stays the keyboard target
      tr.addEventListener('click', (e) => { if (!e.target.closest('a')) location.hash = href; });
      rows.set(r.id, tr);
    }
    const c = tr.children;
    attr(tr, 'data-status', r.status);
    text(c[1], r.service);
    text(c[2], r.version);
    statusBadge(c[3].firstChild, r.status);
    const t = c[4].firstChild;
    attr(t, 'datetime', r.startedAt);
    attr(t, 'title', r.startedAt ? new Date(r.startedAt).toLocaleString() : null);
    text(t, when(r.startedAt));
    text(c[5], duration(r.durationMs));
    const { total = 0, done = 0, failed = 0 } = r.hosts ?? {};
    const [meter, count] = c[6].firstChild.children;
    meter.firstChild.style.width = `${total ? (100 * done) / total : 0}%`;
    meter.lastChild.style.width = `${total ? (100 * failed) / total : 0}%`;
    text(count, `${done}/${total}${failed ? ` · ${failed} failed` : ''}`);
    attr(c[6], 'aria-label', `${done} of ${total} hosts done${failed ? `, ${failed} failed` : ''}`);
    return tr;
  }

  async function refresh() {
    controller = new AbortController();
    try {
      const { rollouts } = await api('/rollouts', { signal: controller.signal });
      if (stopped) return;
      const seen = new Set();
      let prev = null;
      for (const r of rollouts) {
        seen.add(r.id);
        const tr = row(r);
        // keep server order (newest first) while moving as few nodes as possible
        const want = prev ? prev.nextSibling : body.firstChild;
        if (want !== tr) body.insertBefore(tr, want);
        prev = tr;
      }
      for (const [id, tr] of rows) if (!seen.has(id)) { tr.remove(); rows.delete(id); }
      empty.hidden = rollouts.length > 0;
      table.hidden = rollouts.length === 0;
      error.replaceChildren();
      text(status, `${rollouts.length} rollout${rollouts.length === 1 ? '' : 's'} · refreshed every 2 s`);
    } catch (e) {
      if (stopped || e.name === 'AbortError') return;
      if (e.status !== 401) error.replaceChildren(errorPanel(`Could not load the rollouts: ${e.message}`));
    }
    if (!stopped) timer = setTimeout(refresh, 2000);
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); controller?.abort(); };
}
