// One rollout, live: header and controls, a row per host with a timeline of its steps, the event log.
// Events from the stream are queued and applied once per animation frame: only the hosts they touch
// are updated, and log lines are appended in one fragment, so hundreds of hosts stay smooth.
import { api, followEvents, isTerminal, session, vocabulary } from './api.js';
import { h, text, attr, duration, clock, timeEl, statusBadge, statusLabel, announce, loading, errorPanel } from './ui.js';

// Steps and states come from the server's one declaration of them (GET /vocabulary): their order, names
// and meanings; only how each looks (colour class, icon) is decided here.
const HOOK = new Set(['BEFORE_HOST', 'AFTER_HOST']);
const stepClass = (step) => `step-${HOOK.has(step) ? 'hook' : step.toLowerCase()}`;
const ICON = {
  PENDING: '○', PREPARED: '○', DONE: '✓', RESTORED: '↩', PARKED: '⚠', ROLLED_BACK: '↺', SKIPPED: '–',
};
const label = (name) => name.charAt(0) + name.slice(1).toLowerCase().replaceAll('_', ' ');
const ACTIONS = [
  ['pause', 'Pause'], ['resume', 'Resume'], ['promote', 'Promote'],
  ['abort', 'Abort…', 'Abort this rollout?', 'The host in progress finishes its step and is put back; no further host is touched.', 'Abort rollout'],
  ['rollback', 'Roll back…', 'Roll this rollout back?', 'Hosts already on the new version are rolled back to the version they had.', 'Roll back'],
];
const MAX_LOG = 5000;

export function rolloutView(main, id) {
  document.title = `${id} · Baton`;
  main.replaceChildren(h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, '← Rollouts')), loading('Loading rollout…'));

  let stopped = false;
  let stream = null;
  let ticker = 0;
  let frame = 0;
  let reconcileTimer = 0;
  let reconcileBusy = false;
  let lastSeq = 0;
  let skew = 0; // server clock minus ours, learnt from event times
  let lastEventAt = 0;
  let t0 = 0;
  let rollout = null;
  let busy = false;
  let words = { hostSteps: [], recoverySteps: [], hostStates: [] };
  const hosts = new Map();
  const running = new Set(); // step records still going: their bars grow with time
  const queue = [];
  let ui = null;
  let stick = true;

  const serverNow = () => Date.now() + skew;

  // ---- building the page -------------------------------------------------------------------------

  function build(r) {
    const badge = h('span', { class: 'badge', dataset: { testid: 'rollout-status' } });
    const conn = h('span', { class: 'conn', dataset: { testid: 'stream-state' } });
    const dur = h('dd', { class: 'num', dataset: { testid: 'rollout-duration' } });
    const done = h('dd', { class: 'num', dataset: { testid: 'rollout-hosts' } });
    const started = h('dd');
    const summary = h('p', { class: 'summary', dataset: { testid: 'rollout-summary' } });
    const error = h('p', { class: 'control-error', role: 'alert', dataset: { testid: 'control-error' } });
    const buttons = new Map();
    let controls = null;
    if (session.canControl()) {
      controls = h('div', { class: 'controls', role: 'group', 'aria-label': 'Rollout controls' },
        ACTIONS.map(([name, label, ...confirm]) => {
          const b = h('button', {
            type: 'button', class: `btn${confirm.length ? ' btn-danger-quiet' : ''}`, disabled: true,
            dataset: { testid: `action-${name}`, action: name },
          }, label);
          b.addEventListener('click', () => control(name, confirm));
          buttons.set(name, b);
          return b;
        }), error);
    }
    const legend = h('ul', { class: 'legend', 'aria-label': 'Steps in the timelines' });
    const hostList = h('ul', { class: 'hosts', dataset: { testid: 'hosts' }, 'aria-labelledby': 'hosts-title' });
    const scaleBtn = h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-pressed': 'false', dataset: { testid: 'scale-toggle' } }, 'Per-host scale');
    scaleBtn.addEventListener('click', () => {
      const on = hostList.classList.toggle('scale-host');
      scaleBtn.setAttribute('aria-pressed', String(on));
    });
    const spanLabel = h('span', { class: 'num' });
    const log = h('ol', { class: 'log', tabindex: '0', 'aria-label': 'Event log, newest at the bottom', dataset: { testid: 'event-log' } });
    const logCount = h('span', { class: 'muted small num' });
    const jump = h('button', { type: 'button', class: 'btn btn-small jump', hidden: true, dataset: { testid: 'log-jump' } }, 'New events ↓');
    jump.addEventListener('click', () => { log.scrollTop = log.scrollHeight; jump.hidden = true; stick = true; });
    // follow the newest line unless the reader scrolled up; known from scrolling, so appending never measures
    log.addEventListener('scroll', () => { stick = atBottom(log); if (stick) jump.hidden = true; }, { passive: true });

    main.replaceChildren(
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, '← Rollouts')),
      h('section', { class: 'panel rollout-head', 'aria-labelledby': 'rollout-title' },
        h('div', { class: 'title-row' },
          h('h1', { id: 'rollout-title' }, h('span', {}, r.service), h('span', { class: 'arrow', 'aria-hidden': 'true' }, ' → '), h('span', { class: 'sr-only' }, ' to '), h('span', { class: 'mono' }, r.version)),
          badge, conn),
        h('dl', { class: 'facts' },
          h('div', {}, h('dt', {}, 'Rollout'), h('dd', { class: 'mono' }, r.id)),
          h('div', {}, h('dt', {}, 'Started'), started),
          h('div', {}, h('dt', {}, 'Duration'), dur),
          h('div', {}, h('dt', {}, 'Hosts done'), done)),
        summary, controls),
      h('section', { class: 'panel', 'aria-labelledby': 'hosts-title' },
        h('div', { class: 'section-head' },
          h('h2', { id: 'hosts-title' }, 'Hosts'),
          legend,
          scaleBtn),
        h('div', { class: 'host-head', 'aria-hidden': 'true' },
          h('span', {}, 'Host'), h('span', {}, 'Step'), h('span', {}, 'State'), h('span', {}, 'Version'),
          h('span', {}, 'Timeline ', spanLabel)),
        hostList),
      h('section', { class: 'panel', 'aria-labelledby': 'log-title' },
        h('div', { class: 'section-head' }, h('h2', { id: 'log-title' }, 'Event log'), logCount, jump),
        log));
    started.append(timeEl(r.startedAt));
    return { badge, conn, dur, done, summary, error, controls, buttons, legend, hostList, spanLabel, log, logCount, jump };
  }

  // ---- hosts ---------------------------------------------------------------------------------------

  function stepRecord(s) {
    const start = Date.parse(s.startedAt ?? s.at);
    return { step: s.step, outcome: s.outcome, start, took: s.outcome === 'STARTED' ? null : (s.tookMs ?? 0), detail: s.detail ?? null, el: null };
  }

  function hostModel(hs) {
    let m = hosts.get(hs.id);
    if (!m) {
      m = { id: hs.id, address: hs.address ?? '', state: 'PENDING', step: null, version: null, target: null, steps: [], row: null, shown: {} };
      hosts.set(hs.id, m);
    }
    return m;
  }

  function takeHost(hs) {
    const m = hostModel(hs);
    m.address = hs.address ?? m.address;
    m.state = hs.state ?? m.state;
    m.step = hs.step ?? null;
    m.version = hs.version ?? null;
    m.target = hs.target ?? m.target;
    const steps = hs.steps ?? [];
    const same = steps.length === m.steps.length
      && steps.every((s, i) => s.step === m.steps[i].step && s.outcome === m.steps[i].outcome);
    if (!same) {
      for (const rec of m.steps) { rec.el?.remove(); running.delete(rec); }
      m.steps = steps.map(stepRecord);
      for (const rec of m.steps) if (rec.outcome === 'STARTED') running.add(rec);
    }
    return m;
  }

  function hostRow(m) {
    const name = h('span', { class: 'h-id mono' }, m.id);
    const toggle = h('button', {
      type: 'button', class: 'h-toggle', 'aria-expanded': 'false', 'aria-controls': `steps-${m.id}`,
      title: 'Show the steps of this host',
    }, h('span', { class: 'chev', 'aria-hidden': 'true' }, '▸'), name);
    const row = h('li', { class: 'host', dataset: { testid: `host-${m.id}` } },
      h('div', { class: 'h-name' }, toggle, h('span', { class: 'h-addr mono muted small' }, m.address)),
      h('div', { class: 'h-step' }, h('span', { class: 'k' }, 'Step '), h('span', { class: 'mono', dataset: { testid: 'host-step' } }), h('span', { class: 'took muted num' })),
      h('div', { class: 'h-state' }, h('span', { class: 'state', dataset: { testid: 'host-state' } })),
      h('div', { class: 'h-version' }, h('span', { class: 'k' }, 'Version '), h('span', { class: 'mono', dataset: { testid: 'host-version' } })),
      h('div', { class: 'h-timeline' }, h('ol', { class: 'bars', 'aria-label': `Steps of ${m.id}` })),
      h('div', { class: 'h-detail', id: `steps-${m.id}`, hidden: true }));
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      m.ui.detail.hidden = !open;
      if (open) renderDetail(m);
    });
    m.ui = {
      step: row.querySelector('[data-testid="host-step"]'), took: row.querySelector('.took'),
      state: row.querySelector('.state'), version: row.querySelector('[data-testid="host-version"]'),
      bars: row.querySelector('.bars'), detail: row.querySelector('.h-detail'), toggle,
    };
    m.row = row;
    return row;
  }

  function stepTitle(rec) {
    const took = rec.took == null ? 'running' : duration(rec.took);
    return `${rec.step} ${rec.outcome === 'STARTED' ? 'running' : rec.outcome.toLowerCase()} · ${took}${rec.detail ? `\n${rec.detail}` : ''}`;
  }

  function updateBar(rec) {
    if (!rec.el) {
      rec.el = h('li', { class: `bar ${stepClass(rec.step)}`, dataset: { step: rec.step } }, h('span', { class: 'sr-only' }));
    }
    const el = rec.el;
    el.dataset.outcome = rec.outcome;
    el.style.setProperty('--s', String(Math.max(0, rec.start - t0)));
    el.style.setProperty('--d', String(Math.max(0, rec.took ?? serverNow() - rec.start)));
    const title = stepTitle(rec);
    attr(el, 'title', title);
    text(el.firstChild, title.replace('\n', ': '));
  }

  function renderHost(m) {
    if (!m.row) return;
    const meaning = words.hostStates.find((t) => t.name === m.state)?.meaning ?? '';
    const icon = ICON[m.state] ?? '◐';
    attr(m.row, 'data-state', m.state);
    attr(m.row, 'data-step', m.step);
    if (m.shown.state !== m.state) {
      m.shown.state = m.state;
      m.ui.state.className = `state state-${m.state.toLowerCase()}`;
      m.ui.state.replaceChildren(h('span', { class: 'icon', 'aria-hidden': 'true' }, icon), label(m.state));
      m.ui.state.title = meaning;
    }
    text(m.ui.step, m.step ?? '—');
    text(m.ui.version, (m.version ?? '—') + (m.target && m.target !== m.version && !m.state.match(/^(DONE|ROLLED_BACK|RESTORED|PARKED|SKIPPED)$/) ? ` → ${m.target}` : ''));
    const last = m.steps[m.steps.length - 1];
    text(m.ui.took, last ? ` ${duration(last.took ?? serverNow() - last.start)}` : '');
    let prev = null;
    for (const rec of m.steps) {
      updateBar(rec);
      if (rec.el.parentNode !== m.ui.bars || (prev ? prev.nextSibling : m.ui.bars.firstChild) !== rec.el) {
        m.ui.bars.insertBefore(rec.el, prev ? prev.nextSibling : m.ui.bars.firstChild);
      }
      prev = rec.el;
    }
    hostScale(m);
    if (!m.ui.detail.hidden) renderDetail(m);
  }

  function hostScale(m) {
    if (!m.steps.length) return;
    const first = m.steps[0].start;
    const end = Math.max(...m.steps.map((s) => s.start + (s.took ?? serverNow() - s.start)));
    m.row.style.setProperty('--h0', String(Math.max(0, first - t0)));
    m.row.style.setProperty('--hspan', String(Math.max(1, end - first)));
  }

  function renderDetail(m) {
    m.ui.detail.replaceChildren(m.steps.length
      ? h('table', { class: 'steps' },
        h('caption', { class: 'sr-only' }, `Steps of ${m.id}`),
        h('thead', {}, h('tr', {}, ['Step', 'Outcome', 'Started', 'Took', 'Detail'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, m.steps.map((s) => h('tr', { class: `out-${s.outcome.toLowerCase()}` },
          h('td', { class: 'mono' }, s.step),
          h('td', {}, s.outcome === 'STARTED' ? 'running' : s.outcome.toLowerCase()),
          h('td', { class: 'mono' }, clock(new Date(s.start).toISOString())),
          h('td', { class: 'num' }, s.took == null ? duration(serverNow() - s.start) : duration(s.took)),
          h('td', { class: 'detail' }, s.detail ?? '')))))
      : h('p', { class: 'muted small' }, 'No steps yet.'));
  }

  function applyHostEvent(e) {
    const m = hostModel({ id: e.host });
    const at = Date.parse(e.at);
    if (e.outcome === 'STARTED') {
      const rec = { step: e.step, outcome: 'STARTED', start: at, took: null, detail: e.detail ?? null, el: null };
      m.steps.push(rec);
      running.add(rec);
      m.step = e.step;
    } else {
      let rec = null;
      for (let i = m.steps.length - 1; i >= 0; i--) {
        if (m.steps[i].step === e.step && m.steps[i].outcome === 'STARTED') { rec = m.steps[i]; break; }
      }
      if (!rec) {
        rec = { step: e.step, start: at - (e.tookMs ?? 0), el: null };
        m.steps.push(rec);
      }
      rec.outcome = e.outcome;
      rec.took = e.tookMs ?? Math.max(0, at - rec.start);
      rec.detail = e.detail ?? null;
      running.delete(rec);
      m.step = e.step;
      if (e.step === 'RESTART' && e.outcome === 'OK') m.version = e.version ?? m.version;
    }
    // the state the engine says the host is in; the journal's later moves (DONE, RESTORED...) come by reconciling
    if (e.state) m.state = e.state;
    if (e.version) m.target = e.version;
    if (e.outcome !== 'STARTED' && (e.step === 'JOIN' || e.step === 'AFTER_HOST' || e.outcome === 'FAILED' || words.recoverySteps.some((t) => t.name === e.step))) reconcileSoon();
    return m;
  }

  /** The legend: every per-host step in the engine's order, then the recovery steps, from the vocabulary. */
  function fillLegend() {
    const seen = new Set();
    for (const t of [...words.hostSteps, ...words.recoverySteps]) {
      const key = HOOK.has(t.name) ? 'HOOK' : t.name;
      if (seen.has(key)) continue;
      seen.add(key);
      ui.legend.append(h('li', { title: t.meaning, dataset: { step: key } }, h('span', { class: `swatch ${stepClass(t.name)}`, 'aria-hidden': 'true' }), key));
    }
  }

  // ---- event log -----------------------------------------------------------------------------------

  const atBottom = (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 24;

  function logLine(e) {
    const outcome = (e.outcome ?? '').toLowerCase();
    return h('li', { class: `ev out-${outcome}`, dataset: { seq: e.seq } },
      h('time', { datetime: e.at }, clock(e.at)),
      h('span', { class: 'ev-host' }, e.host ?? '—'),
      h('span', { class: 'ev-step' }, e.step),
      h('span', { class: 'ev-out' }, outcome === 'started' ? '…' : outcome),
      h('span', { class: 'ev-took num' }, e.tookMs == null ? '' : duration(e.tookMs)),
      h('span', { class: 'ev-detail' }, e.detail ?? ''));
  }

  function appendLog(events) {
    if (!events.length) return;
    const { log } = ui;
    const fragment = document.createDocumentFragment();
    for (const e of events) fragment.append(logLine(e));
    log.append(fragment);
    while (log.childElementCount > MAX_LOG) log.firstElementChild.remove();
    text(ui.logCount, `${lastSeq} events${lastSeq > MAX_LOG ? ` · last ${MAX_LOG} shown` : ''}`);
    if (stick) log.scrollTop = log.scrollHeight;
    else ui.jump.hidden = false;
  }

  // ---- header and controls -----------------------------------------------------------------------

  function renderHead() {
    const r = rollout;
    statusBadge(ui.badge, r.status);
    text(ui.summary, r.summary ?? '');
    ui.summary.hidden = !r.summary;
    let total = 0; let done = 0; let failed = 0;
    for (const m of hosts.values()) {
      total++;
      if (m.state === 'DONE') done++;
      else if (m.state === 'PARKED' || m.state === 'RESTORED') failed++;
    }
    text(ui.done, `${done}/${total}${failed ? ` · ${failed} failed` : ''}`);
    renderClock();
    const actions = new Set(r.actions ?? []);
    if (ui.controls) ui.controls.hidden = isTerminal(r.status) && !actions.size; // nothing left to control
    const focused = document.activeElement;
    for (const [name, b] of ui.buttons) {
      b.disabled = busy || !actions.has(name);
      // pause and resume take turns in one place; promote shows up only when a canary waits for it
      const other = { pause: 'resume', resume: 'pause' }[name];
      b.hidden = name === 'promote' ? !actions.has(name) : other != null && !actions.has(name) && actions.has(other);
    }
    if (focused?.dataset?.action && focused.hidden) {
      const other = ui.buttons.get({ pause: 'resume', resume: 'pause' }[focused.dataset.action]);
      other?.focus();
    }
  }

  function renderClock() {
    const r = rollout;
    const end = r.endedAt ? Date.parse(r.endedAt) : isTerminal(r.status) ? t0 + (r.durationMs ?? 0) : serverNow();
    const elapsed = r.endedAt || isTerminal(r.status) ? r.durationMs ?? end - t0 : end - t0;
    text(ui.dur, duration(elapsed));
    const span = Math.max(1, end - t0);
    ui.hostList.style.setProperty('--span', String(span));
    text(ui.spanLabel, `(0 – ${duration(span)})`);
  }

  function setConnection(state, detail) {
    const words = {
      connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…',
      waiting: `Connection lost · retrying in ${detail ?? 1} s`, ended: 'Ended', failed: `Live updates failed: ${detail}`,
    };
    ui.conn.className = `conn conn-${state}`;
    attr(ui.conn, 'data-state', state);
    text(ui.conn, words[state] ?? state);
    if (state === 'waiting') reconcileSoon();
  }

  function setStatus(status) {
    if (!status || status === rollout.status) return;
    rollout.status = status;
    if (isTerminal(status)) { // certain even before the server's answer: nothing left to do, it ended with its last event
      rollout.actions = [];
      rollout.endedAt ??= new Date(Math.max(lastEventAt, t0)).toISOString();
      rollout.durationMs = Date.parse(rollout.endedAt) - t0;
    }
    announce(`Rollout ${rollout.service} ${rollout.version}: ${statusLabel(status)}`);
    renderHead();
    reconcileSoon(100); // the server's word on the actions that apply now
  }

  async function control(name, confirm) {
    if (confirm.length) {
      const [title, body, ok] = confirm;
      if (!(await ask(title, body, ok))) return;
    }
    busy = true;
    renderHead();
    text(ui.error, '');
    try {
      const r = await api(`/rollouts/${encodeURIComponent(id)}/${name}`, { method: 'POST' });
      if (!stopped) takeSnapshot(r, false);
    } catch (e) {
      if (!stopped && e.status !== 401) text(ui.error, `Could not ${name}: ${e.message}`);
    } finally {
      busy = false;
      if (!stopped) renderHead();
    }
  }

  // ---- snapshots, stream, batching ---------------------------------------------------------------

  /** Takes a GET/POST answer. Host states are taken only when it is at least as new as what we have. */
  function takeSnapshot(r, initial) {
    const events = r.events ?? [];
    const seq = events.reduce((max, e) => Math.max(max, e.seq ?? 0), 0);
    const before = rollout;
    const status = before?.status;
    // an answer that predates the end already seen (a request in flight when the stream said so) must not revive it
    const predatesEnd = isTerminal(status) && !isTerminal(r.status);
    const fresh = initial || (!predatesEnd && (seq >= lastSeq || !events.length && !lastSeq));
    rollout = predatesEnd ? { ...r, ...before } : { ...before, ...r, status: fresh || !status ? r.status : status };
    if (predatesEnd) reconcileSoon(); // ask again for the final word (summary, end time)
    if (fresh) {
      for (const hs of r.hosts ?? []) {
        const m = takeHost(hs);
        if (!m.row) ui.hostList.append(hostRow(m));
        renderHost(m);
      }
      const newer = events.filter((e) => e.seq > lastSeq);
      for (const e of newer) learnClock(e);
      lastSeq = Math.max(lastSeq, seq);
      appendLog(newer);
    } else if (r.hosts?.length || events.length) {
      reconcileSoon(); // older than the stream: ask again shortly
    }
    if (status && rollout.status !== status) announce(`Rollout ${rollout.service} ${rollout.version}: ${statusLabel(rollout.status)}`);
    renderHead();
  }

  function learnClock(e) {
    const at = Date.parse(e.at);
    if (at > lastEventAt) lastEventAt = at;
    if (at > Date.now() + skew) skew = at - Date.now();
  }

  function reconcileSoon(delay = 700) {
    if (reconcileTimer || stopped) return;
    reconcileTimer = setTimeout(async () => {
      if (reconcileBusy) { reconcileTimer = 0; reconcileSoon(); return; }
      reconcileBusy = true;
      reconcileTimer = 0; // from here on, a stale answer may ask again
      try {
        const r = await api(`/rollouts/${encodeURIComponent(id)}`);
        flush(); // apply what the stream already delivered first, so the comparison is fair
        if (!stopped) takeSnapshot(r, false);
      } catch (e) {
        if (e.status !== 401) console.warn('baton: could not refresh the rollout', e); // the stream keeps going
      }
      reconcileBusy = false;
    }, delay);
  }

  function onEvent(e) {
    queue.push(e);
    if (!frame) frame = requestAnimationFrame(flush);
  }

  function flush() {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    if (stopped || !queue.length) return;
    const batch = queue.splice(0);
    const touched = new Set();
    const logged = [];
    for (const e of batch) {
      if (e.seq != null && e.seq <= lastSeq) continue; // already known (snapshot or replay)
      if (e.seq != null) lastSeq = e.seq;
      learnClock(e);
      logged.push(e);
      if (e.host) touched.add(applyHostEvent(e));
      else if (e.step === 'ROLLOUT' && e.outcome !== 'STARTED') reconcileSoon();
    }
    for (const m of touched) {
      if (!m.row) ui.hostList.append(hostRow(m));
      renderHost(m);
    }
    appendLog(logged);
    if (touched.size) renderHead();
  }

  function tick() {
    if (stopped || !rollout) return;
    if (!isTerminal(rollout.status) || running.size) {
      renderClock();
      for (const rec of running) if (rec.el) updateBar(rec);
      for (const m of hosts.values()) {
        const last = m.steps[m.steps.length - 1];
        if (last && running.has(last)) {
          text(m.ui.took, ` ${duration(serverNow() - last.start)}`);
          hostScale(m);
        }
      }
    }
  }

  (async () => {
    let r;
    try {
      [r, words] = await Promise.all([api(`/rollouts/${encodeURIComponent(id)}`), vocabulary()]);
    } catch (e) {
      if (stopped || e.status === 401) return;
      main.replaceChildren(h('nav', { class: 'crumbs' }, h('a', { href: '#/' }, '← Rollouts')),
        errorPanel(e.status === 404 ? `There is no rollout ${id}.` : `Could not load rollout ${id}: ${e.message}`));
      return;
    }
    if (stopped) return;
    t0 = Date.parse(r.startedAt) || Date.now();
    ui = build(r);
    fillLegend();
    takeSnapshot(r, true);
    ui.log.scrollTop = ui.log.scrollHeight;
    document.title = `${r.service} ${r.version} · ${statusLabel(r.status)} · Baton`;
    if (isTerminal(r.status)) {
      setConnection('ended');
    } else {
      stream = followEvents(id, {
        after: lastSeq,
        onEvent,
        onStatus: (s) => { flush(); setStatus(s); document.title = `${rollout.service} ${rollout.version} · ${statusLabel(s)} · Baton`; },
        onConnection: setConnection,
        done: () => isTerminal(rollout.status),
      });
    }
    ticker = setInterval(tick, 500);
  })();

  return () => {
    stopped = true;
    stream?.close();
    clearInterval(ticker);
    clearTimeout(reconcileTimer);
    if (frame) cancelAnimationFrame(frame);
  };
}

// ---- confirmation -------------------------------------------------------------------------------

function ask(title, body, ok) {
  const dialog = document.getElementById('confirm');
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(`${title}\n${body}`));
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = body;
  document.getElementById('confirm-ok').textContent = ok;
  dialog.returnValue = '';
  dialog.showModal();
  dialog.querySelector('[value="cancel"]').focus();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

