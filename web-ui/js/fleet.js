// The fleet: every Consul service's instances with their health and version, refreshed every 5 s.
import { api } from './api.js';
import { h, errorPanel } from './ui.js';

const HEALTH = {
  passing: ['Passing', '✓'], warning: ['Warning', '!'], critical: ['Critical', '✕'], maintenance: ['Maintenance', '⏸'],
};

export function fleetView(main) {
  document.title = 'Fleet · Baton';
  const status = h('p', { class: 'muted small', role: 'status' }, 'Loading…');
  const body = h('div', { class: 'services' });
  main.replaceChildren(h('div', { class: 'page-head' }, h('h1', {}, 'Fleet'), status), body);
  let stopped = false;
  let timer = 0;
  let controller = null;
  let last = '';

  function instance(i) {
    const health = i.maintenance ? 'maintenance' : i.health;
    const [label, icon] = HEALTH[health] ?? [health ?? 'Unknown', '?'];
    return h('li', { class: `instance inst-${health}`, dataset: { testid: `instance-${i.id}`, health } },
      h('div', { class: 'i-top' },
        h('span', { class: 'mono strong' }, i.id),
        h('span', { class: `health health-${health}`, dataset: { testid: 'instance-health' } },
          h('span', { class: 'icon', 'aria-hidden': 'true' }, icon), label)),
      h('dl', { class: 'i-facts' },
        h('div', {}, h('dt', {}, 'Address'), h('dd', { class: 'mono' }, `${i.address}${i.port ? `:${i.port}` : ''}`)),
        h('div', {}, h('dt', {}, 'Node'), h('dd', { class: 'mono' }, i.node ?? '—')),
        h('div', {}, h('dt', {}, 'Version'), h('dd', { class: 'mono', dataset: { testid: 'instance-version' } },
          i.version ?? h('span', { class: 'muted', title: 'No version in Consul service meta, and no rollout of this server touched it' }, 'unknown')))));
  }

  function service(s) {
    const counts = {};
    for (const i of s.instances) { const k = i.maintenance ? 'maintenance' : i.health; counts[k] = (counts[k] ?? 0) + 1; }
    const versions = [...new Set(s.instances.map((i) => i.version ?? 'unknown'))];
    return h('section', { class: 'panel service', 'aria-labelledby': `svc-${s.name}`, dataset: { testid: `service-${s.name}` } },
      h('div', { class: 'section-head' },
        h('h2', { id: `svc-${s.name}` }, s.name),
        h('p', { class: 'muted small' },
          `${s.instances.length} instance${s.instances.length === 1 ? '' : 's'} · `,
          Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', '),
          ` · version${versions.length === 1 ? '' : 's'} ${versions.join(', ')}`)),
      s.instances.length ? h('ul', { class: 'instances' }, s.instances.map(instance)) : h('p', { class: 'muted' }, 'No instances registered.'));
  }

  async function refresh() {
    controller = new AbortController();
    try {
      const fleet = await api('/fleet', { signal: controller.signal });
      if (stopped) return;
      const json = JSON.stringify(fleet);
      if (json !== last) { // re-render only when something changed, so focus and selection survive polling
        last = json;
        body.replaceChildren(...(fleet.services.length ? fleet.services.map(service) : [h('p', { class: 'panel empty' }, 'Consul knows no services.')]));
      }
      status.textContent = `${fleet.services.length} service${fleet.services.length === 1 ? '' : 's'} · refreshed every 5 s`;
    } catch (e) {
      if (stopped || e.name === 'AbortError') return;
      if (e.status !== 401) body.replaceChildren(errorPanel(`Could not load the fleet: ${e.message}`));
      last = '';
    }
    if (!stopped) timer = setTimeout(refresh, 5000);
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); controller?.abort(); };
}
