// Scheduled rollouts: when each runs next, whether its service's deploy window is open now, what its last run did.
import { api } from './api.js';
import { h, errorPanel } from './ui.js';

export function schedulesView(main) {
  document.title = 'Schedules · Baton';
  const status = h('p', { class: 'muted small', role: 'status' }, 'Loading…');
  const body = h('div', { class: 'panel' });
  main.replaceChildren(h('div', { class: 'page-head' }, h('h1', {}, 'Schedules'), status), body);
  let stopped = false;
  let timer = 0;
  let controller = null;
  let last = '';

  const time = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

  function when(s) {
    return s.kind === 'at' ? `at ${time(s.at)} (expires ${time(s.expires)})` : `cron ${s.cron} (${s.zone})`;
  }

  function windowCell(w) {
    const text = w.open ? 'open' : `closed: ${w.why}`;
    const until = w.until ? ` until ${time(w.until)}` : '';
    return h('td', { class: w.open ? 'small' : 'small strong', dataset: { testid: 'schedule-window', open: String(w.open) } }, text + until);
  }

  function row(s) {
    return h('tr', { dataset: { testid: 'schedule', id: s.id, status: s.status } },
      h('td', { class: 'mono small' }, s.id),
      h('td', {}, `${s.service} ${s.version}`),
      h('td', { class: 'small' }, when(s)),
      h('td', { dataset: { testid: 'schedule-status' } }, s.status),
      h('td', { class: 'mono small', dataset: { testid: 'schedule-next' } }, time(s.nextRun)),
      windowCell(s.window),
      h('td', { class: 'small' }, s.lastRollout
        ? h('a', { href: `#/rollouts/${encodeURIComponent(s.lastRollout)}` }, s.lastResult ?? s.lastRollout)
        : (s.lastResult ?? '—')));
  }

  async function refresh() {
    controller = new AbortController();
    try {
      const answer = await api('/schedules', { signal: controller.signal });
      if (stopped) return;
      const json = JSON.stringify(answer);
      if (json !== last) {
        last = json;
        body.replaceChildren(answer.schedules.length
          ? h('table', { class: 'audit', dataset: { testid: 'schedules-table' } },
            h('thead', {}, h('tr', {}, ['Id', 'Rolls', 'When', 'Status', 'Next run', 'Deploy window now', 'Last run']
              .map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, answer.schedules.map(row)))
          : h('p', { class: 'empty' }, 'No schedules. Create one with baton schedule create PLAN (a plan with schedule:).'));
      }
      status.textContent = `${answer.schedules.length} schedules · refreshed every 10 s`;
    } catch (e) {
      if (stopped || e.name === 'AbortError') return;
      if (e.status !== 401) body.replaceChildren(errorPanel(`Could not load the schedules: ${e.message}`));
      last = '';
    }
    if (!stopped) timer = setTimeout(refresh, 10000);
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); controller?.abort(); };
}
