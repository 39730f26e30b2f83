// One rollout, live: header and controls, the traffic through the load balancer, the hosts (grouped by batch,
// filtered, only the rows in view in the DOM) and the event log (filtered, only the lines in view in the DOM).
// Events from the stream are queued and applied in one animation frame (at most about ten a second while they
// stream), each in O(1) on its host's model; only what changed is drawn, so 1,000 hosts stay smooth.
import { api, followEvents, isTerminal, rolloutSnapshot, session, vocabulary } from './api.js';
import { h, text, attr, duration, timeEl, statusBadge, statusLabel, announce, loading, errorPanel } from './ui.js';
import { hostList, stepClass } from './hostlist.js';
import { trafficChart } from './traffic.js';
import { eventLog } from './eventlog.js';

// Steps and states come from the server's one declaration of them (GET /vocabulary): their order, names
// and meanings; only how each looks (colour class, icon) is decided here.
const HOOK = new Set(['BEFORE_HOST', 'AFTER_HOST']);
const ACTIONS = [
  ['pause', 'Pause'], ['resume', 'Resume'], ['promote', 'Promote'],
  ['abort', 'Abort…', 'Abort this rollout?', 'The host in progress finishes its step and is put back; no further host is touched.', 'Abort rollout'],
  ['rollback', 'Roll back…', 'Roll this rollout back?', 'Hosts already on the new version are rolled back to the version they had.', 'Roll back'],
];
const MAX_LOG = 25000; // lines kept in memory (a 1,000-host rollout logs about 12,000); the DOM holds only those in view
// a rollout this large is refreshed from the server less often, and its answer (megabytes) parsed in a worker
const LARGE = 200;

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
  let hosts = null;
  let traffic = null;
  let log = null;
  const queue = [];
  let ui = null;
  let staleAnswers = 0;
  let firstRender = true;

  const serverNow = () => Date.now() + skew;
  const timelineEnd = () => (rollout?.endedAt ? Date.parse(rollout.endedAt) : isTerminal(rollout?.status) ? t0 + (rollout.durationMs ?? 0) : serverNow());
  // the end of the timelines' scale: a running rollout's grows in steps (a second up to 10 s, 5 s up to 100 s,
  // 50 s up to 1,000 s...), so the bars of the hosts in view and the chart are laid out anew every few seconds, not
  // on every frame; an ended rollout's is its end
  const scaleEnd = () => {
    const end = timelineEnd();
    if (rollout?.endedAt || isTerminal(rollout?.status)) return end;
    const step = Math.max(1000, 10 ** Math.floor(Math.log10(Math.max(1000, end - t0))) / 2);
    return t0 + (Math.floor((end - t0) / step) + 1) * step;
  };

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
    const parts = hosts.parts;
    const scaleBtn = h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-pressed': 'false', dataset: { testid: 'scale-toggle' } }, 'Per-host scale');
    scaleBtn.addEventListener('click', () => {
      const on = parts.list.classList.toggle('scale-host');
      scaleBtn.setAttribute('aria-pressed', String(on));
    });
    const spanLabel = h('span', { class: 'num' });
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
      traffic.el,
      h('section', { class: 'panel', 'aria-labelledby': 'hosts-title' },
        h('div', { class: 'section-head' },
          h('h2', { id: 'hosts-title' }, 'Hosts'),
          legend,
          scaleBtn),
        parts.summary, parts.meter, parts.tools,
        h('div', { class: 'host-head', 'aria-hidden': 'true' },
          h('span', {}, 'Host'), h('span', {}, 'Step'), h('span', {}, 'State'), h('span', {}, 'Version'),
          h('span', {}, 'Timeline ', spanLabel)),
        parts.viewport, parts.detail),
      h('section', { class: 'panel', 'aria-labelledby': 'log-title' },
        h('div', { class: 'section-head' }, h('h2', { id: 'log-title' }, 'Event log'), log.parts.jump),
        log.parts.tools, log.parts.viewport));
    started.append(timeEl(r.startedAt));
    return { badge, conn, dur, done, summary, error, controls, buttons, legend, list: parts.list, spanLabel };
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

  // ---- header and controls -----------------------------------------------------------------------

  function renderHead() {
    const r = rollout;
    statusBadge(ui.badge, r.status);
    text(ui.summary, r.summary ?? '');
    ui.summary.hidden = !r.summary;
    const counts = hosts.counts();
    const done = counts.get('DONE') ?? 0;
    const failed = (counts.get('PARKED') ?? 0) + (counts.get('RESTORED') ?? 0);
    text(ui.done, `${done}/${hosts.size()}${failed ? ` · ${failed} failed` : ''}`);
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
    const end = timelineEnd();
    const elapsed = r.endedAt || isTerminal(r.status) ? r.durationMs ?? end - t0 : end - t0;
    text(ui.dur, duration(elapsed));
    const span = Math.max(1, scaleEnd() - t0);
    if (ui.list._span !== span) { ui.list._span = span; ui.list.style.setProperty('--span', String(span)); }
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
    const seq = r.lastSeq ?? (events.length ? events[events.length - 1].seq ?? 0 : 0);
    const before = rollout;
    const status = before?.status;
    // an answer that predates the end already seen (a request in flight when the stream said so) must not revive it
    const predatesEnd = isTerminal(status) && !isTerminal(r.status);
    const fresh = initial || (!predatesEnd && (seq >= lastSeq || !seq && !lastSeq));
    rollout = predatesEnd ? { ...r, ...before } : { ...before, ...r, status: fresh || !status ? r.status : status };
    delete rollout.events; // kept once, in the views; not twice in memory
    delete rollout.hosts;
    if (predatesEnd) reconcileSoon(); // ask again for the final word (summary, end time)
    if (fresh) {
      // events first (batches, traffic, log), then the hosts as the server shows them after those events
      const logged = [];
      for (const e of events) {
        if (e.seq <= lastSeq) continue;
        learnClock(e);
        if (route(e, false)) logged.push(e);
      }
      for (const hs of r.hosts ?? []) hosts.take(hs);
      lastSeq = Math.max(lastSeq, seq);
      log.add(logged);
    } else if ((r.hosts?.length || seq) && staleAnswers++ < 2) {
      reconcileSoon(); // older than the stream: ask again shortly (not forever: the stream keeps the page current)
    }
    if (fresh) staleAnswers = 0;
    if (status && rollout.status !== status) announce(`Rollout ${rollout.service} ${rollout.version}: ${statusLabel(rollout.status)}`);
    draw();
    renderHead();
  }

  function learnClock(e) {
    const at = Date.parse(e.at);
    if (at > lastEventAt) lastEventAt = at;
    if (at > Date.now() + skew) skew = at - Date.now();
  }

  function reconcileSoon(delay = 700) {
    if (reconcileTimer || stopped) return;
    // a large rollout's answer takes a while to parse: ask for it less often (the stream carries the rest)
    if (hosts && hosts.size() > LARGE) delay = Math.max(delay, 3000);
    reconcileTimer = setTimeout(async () => {
      if (reconcileBusy) { reconcileTimer = 0; reconcileSoon(); return; }
      reconcileBusy = true;
      reconcileTimer = 0; // from here on, a stale answer may ask again
      try {
        const r = await (hosts.size() > LARGE ? rolloutSnapshot(id, lastSeq) : api(`/rollouts/${encodeURIComponent(id)}`));
        flush(); // apply what the stream already delivered first, so the comparison is fair
        if (!stopped) takeSnapshot(r, false);
      } catch (e) {
        if (e.status !== 401) console.warn('baton: could not refresh the rollout', e); // the stream keeps going
      }
      reconcileBusy = false;
    }, delay);
  }

  /**
   * One event into the models: host events to their host, TRAFFIC to the chart (never the log), ANALYSIS to the
   * chart and the log, BATCH to the grouping. Returns whether the event belongs in the log.
   */
  function route(e, live) {
    if (e.step === 'TRAFFIC') { traffic.add(e); return false; }
    if (e.step === 'ANALYSIS') traffic.verdict(e);
    if (e.step === 'BATCH' && e.outcome === 'STARTED') hosts.batchStarted(e);
    if (e.host) {
      hosts.apply(e);
      // a host event carries the state the host is in; the journal's moves without an event (a failed host's
      // RESTORED or PARKED after a FAILED, SKIPPED after a skipped LEAVE) come with the server's snapshot
      if (live && (e.outcome === 'FAILED' || e.outcome === 'SKIPPED')) reconcileSoon();
    } else if (live && e.step === 'ROLLOUT' && (e.outcome === 'FAILED' || (e.outcome === 'OK' && e.tookMs != null))) {
      reconcileSoon(); // the end (the first ROLLOUT OK, with the batches, is no news to the snapshot)
    }
    return true;
  }

  function onEvent(e) {
    queue.push(e);
    schedule();
  }

  // a busy stream (hundreds of events a second) is drawn about ten times a second, in one frame each time: the page
  // stays live, and the browser is not asked to restyle and repaint the whole view on every one of its frames
  const PACE = 100;
  let lastFlush = 0;
  let paced = 0;

  function schedule() {
    if (frame || paced || stopped) return;
    const wait = lastFlush + PACE - performance.now();
    if (wait <= 0) frame = requestAnimationFrame(flush);
    else paced = setTimeout(() => { paced = 0; frame = requestAnimationFrame(flush); }, wait);
  }

  function flush() {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    lastFlush = performance.now();
    if (stopped) return;
    const batch = queue.splice(0);
    const logged = [];
    let hostEvents = false;
    for (const e of batch) {
      if (e.seq != null && e.seq <= lastSeq) continue; // already known (snapshot or replay)
      if (e.seq != null) lastSeq = e.seq;
      learnClock(e);
      if (route(e, true)) logged.push(e);
      if (e.host) hostEvents = true;
    }
    log.add(logged);
    draw();
    if (hostEvents) renderHead();
  }

  function draw() {
    log.render();
    hosts.render();
    traffic.render();
    if (firstRender) {
      firstRender = false;
      performance.mark('baton:first-render'); // what the dashboard benchmark measures
    }
  }

  function tick() {
    if (stopped || !rollout) return;
    if (!isTerminal(rollout.status)) {
      renderClock();
      hosts.tick();
      traffic.tick();
      schedule();
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
    hosts = hostList(words, { t0: () => t0, now: serverNow });
    traffic = trafficChart({ t0: () => t0, end: scaleEnd });
    log = eventLog(MAX_LOG);
    hosts.onRequest(schedule);
    traffic.onRequest(schedule);
    log.onRequest(schedule);
    ui = build(r);
    fillLegend();
    takeSnapshot(r, true);
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
    clearTimeout(paced);
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

