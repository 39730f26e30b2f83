// The audit log (admins only): who did what through the API, newest first, refreshed every 10 s.
import { api } from './api.js';
import { h, errorPanel } from './ui.js';

export function auditView(main) {
  document.title = 'Audit · Baton';
  const status = h('p', { class: 'muted small', role: 'status' }, 'Loading…');
  const body = h('div', { class: 'panel' });
  main.replaceChildren(h('div', { class: 'page-head' }, h('h1', {}, 'Audit log'), status), body);
  let stopped = false;
  let timer = 0;
  let controller = null;
  let last = '';

  function row(e) {
    const ok = e.status < 400;
    return h('tr', { dataset: { testid: 'audit-entry', status: String(e.status) } },
      h('td', { class: 'mono small' }, new Date(e.at).toLocaleString()),
      h('td', { class: 'mono', dataset: { testid: 'audit-actor' } }, e.actor, e.role ? h('span', { class: 'muted small' }, ` (${e.role})`) : ''),
      h('td', { dataset: { testid: 'audit-action' } }, e.action),
      h('td', { class: 'mono' }, e.rollout ? h('a', { href: `#/rollouts/${encodeURIComponent(e.rollout)}` }, e.rollout) : '—'),
      h('td', { class: ok ? 'mono' : 'mono strong', dataset: { testid: 'audit-status' } }, String(e.status)),
      h('td', { class: 'small' }, e.result ?? ''));
  }

  async function refresh() {
    controller = new AbortController();
    try {
      const audit = await api('/audit', { signal: controller.signal });
      if (stopped) return;
      const json = JSON.stringify(audit);
      if (json !== last) {
        last = json;
        body.replaceChildren(audit.entries.length
          ? h('table', { class: 'audit', dataset: { testid: 'audit-table' } },
            h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Rollout', 'Status', 'Result'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, audit.entries.map(row)))
          : h('p', { class: 'empty' }, 'Nothing recorded yet.'));
      }
      status.textContent = `${audit.entries.length} entries · refreshed every 10 s`;
    } catch (e) {
      if (stopped || e.name === 'AbortError') return;
      if (e.status !== 401) body.replaceChildren(errorPanel(`Could not load the audit log: ${e.message}`));
      last = '';
    }
    if (!stopped) timer = setTimeout(refresh, 10000);
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); controller?.abort(); };
}
