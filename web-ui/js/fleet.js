// The fleet: every Consul service's instances with their health and version, refreshed every 5 s; with each
// instance's request rate and error rate from the latest traffic sample of its service's newest rollout.
import { api, isTerminal, rolloutSnapshot } from './api.js';
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
  const ended = new Map(); // rollout id -> its last traffic sample, for rollouts that ended (it will not change)

  /** The latest TRAFFIC sample of the newest rollout of each service: instance id -> { rps, errorRate, ... , at }. */
  async function samples(services, signal) {
    const { rollouts } = await api('/rollouts', { signal });
    const newest = new Map();
    for (const r of rollouts) if (!newest.has(r.service)) newest.set(r.service, r);
    const byInstance = new Map();
    await Promise.all(services.map(async (s) => {
      const r = newest.get(s.name);
      if (!r) return;
      let sample = ended.get(r.id);
      if (sample === undefined) {
        // a large rollout's answer is megabytes: read in a worker, which keeps only the last sample
        const details = await rolloutSnapshot(r.id, 0, { lastTraffic: true });
        if (signal.aborted) throw new DOMException('stopped', 'AbortError');
        sample = details.events[0] ?? null;
        if (isTerminal(details.status)) ended.set(r.id, sample);
      }
      for (const [host, v] of Object.entries(sample?.fields?.instances ?? {})) byInstance.set(host, { ...v, at: sample.at, rollout: r.id });
    }));
    return byInstance;
  }

  function trafficLine(t) {
    if (!t) return null;
    const errors = +t.errorRate || 0;
    const p99 = t.p99Ms ?? t.rtimeMs;
    return h('p', {
      class: `i-traffic num${errors > 0 ? ' erroring' : ''}`, dataset: { testid: 'instance-traffic' },
      title: `From the traffic sample of ${t.rollout} at ${new Date(t.at).toLocaleTimeString()}`,
    }, `${(+t.rps || 0).toFixed(1)} req/s · ${(errors * 100).toFixed(2)}% errors${p99 != null ? ` · ${t.p99Ms != null ? 'p99' : 'resp.'} ${Math.round(p99)} ms` : ''}`);
  }

  function instance(i, traffic) {
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
          i.version ?? h('span', { class: 'muted', title: 'No version in Consul service meta, and no rollout of this server touched it' }, 'unknown')))),
      trafficLine(traffic.get(i.id)));
  }

  function service(s, traffic) {
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
      s.instances.length ? h('ul', { class: 'instances' }, s.instances.map((i) => instance(i, traffic))) : h('p', { class: 'muted' }, 'No instances registered.'));
  }

  async function refresh() {
    controller = new AbortController();
    try {
      const fleet = await api('/fleet', { signal: controller.signal });
      let traffic = new Map();
      try {
        traffic = await samples(fleet.services, controller.signal);
      } catch (e) {
        if (e.name === 'AbortError') throw e; // the rates are a bonus: the fleet shows without them
      }
      if (stopped) return;
      const json = JSON.stringify([fleet, [...traffic]]);
      if (json !== last) { // re-render only when something changed, so focus and selection survive polling
        last = json;
        body.replaceChildren(...(fleet.services.length ? fleet.services.map((s) => service(s, traffic)) : [h('p', { class: 'panel empty' }, 'Consul knows no services.')]));
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
