// The traffic through the load balancer during a rollout, from its TRAFFIC samples (about one a second): the running
// totals "requests N, failed F", and an SVG chart over the rollout's timeline of requests/s and failed requests/s
// (top), passing instances and hosts out of rotation (bottom), with the analysis verdicts (ANALYSIS events) marked.
// Samples are appended in O(1); the chart is redrawn at most once per frame, and only when something changed.
import { h, text, attr, duration } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const TOP = 118;    // height of the rates pane
const GAP = 18;
const BOTTOM = 52;  // height of the instances pane
const HEIGHT = TOP + GAP + BOTTOM + 16;
const LEFT = 44;    // room for the axis labels
const number = new Intl.NumberFormat();
const rate = (v) => (v >= 100 ? number.format(Math.round(v)) : v.toFixed(v >= 10 ? 1 : 2));
const VERDICT = { pass: ['✓', 'passed'], fail: ['✕', 'failed'], inconclusive: ['?', 'inconclusive'] };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** @param timeline { t0(), end() }: the rollout's start and where its timeline's scale ends now */
export function trafficChart(timeline) {
  const at = []; const rps = []; const fps = []; const passing = []; const out = [];
  const verdicts = [];
  let totals = null;
  let instances = null;
  let dirty = false;
  let width = 800;
  let drawnEnd = 0;

  const requests = h('strong', { class: 'num', dataset: { testid: 'traffic-requests' } }, '0');
  const failed = h('strong', { class: 'num', dataset: { testid: 'traffic-failed' } }, '0');
  const totalsEl = h('p', { class: 'traffic-totals', id: 'traffic-totals', dataset: { testid: 'traffic-totals' } },
    'requests ', requests, ', failed ', failed);
  const now = h('p', { class: 'muted small num traffic-now', dataset: { testid: 'traffic-now' } });
  const verdictList = h('ul', { class: 'verdicts', 'aria-label': 'Analysis verdicts', dataset: { testid: 'verdicts' } });

  const rpsPath = s('path', { class: 'line line-rps' });
  const fpsPath = s('path', { class: 'line line-failed' });
  const passingPath = s('path', { class: 'line line-passing' });
  const outPath = s('path', { class: 'line line-out' });
  const marks = s('g', { class: 'marks' });
  const axes = s('g', { class: 'axes' });
  const svg = s('svg', {
    class: 'traffic-svg', role: 'img', 'aria-labelledby': 'traffic-title traffic-totals', 'aria-describedby': 'traffic-now',
    height: HEIGHT, preserveAspectRatio: 'none', 'data-testid': 'traffic-chart',
  }, axes, rpsPath, fpsPath, passingPath, outPath, marks);
  const legend = h('ul', { class: 'legend traffic-legend', 'aria-hidden': 'true' },
    [['rps', 'requests/s'], ['failed', 'failed/s'], ['passing', 'passing instances'], ['out', 'out of rotation']]
      .map(([k, name]) => h('li', {}, h('span', { class: `swatch sw-${k}` }), name)));
  const box = h('div', { class: 'traffic-box' }, svg);
  const section = h('section', { class: 'panel traffic', 'aria-labelledby': 'traffic-title', hidden: true, dataset: { testid: 'traffic' } },
    h('div', { class: 'section-head' }, h('h2', { id: 'traffic-title' }, 'Traffic through the load balancer'), legend),
    h('div', { class: 'traffic-head' }, totalsEl, now),
    box, verdictList);

  let request = () => {};
  new ResizeObserver(() => {
    const w = Math.round(box.clientWidth);
    if (w > 0 && w !== width) { width = w; dirty = true; request(); }
  }).observe(box);

  /** A TRAFFIC event: one sample. */
  function add(e) {
    const f = e.fields ?? {};
    at.push(Date.parse(e.at));
    rps.push(+f.rps || 0);
    fps.push(+f.failedPerS || 0);
    passing.push(+f.passing || 0);
    out.push(+f.outOfRotation || 0);
    totals = { requests: +f.requests || 0, failed: +f.failed || 0 };
    if (f.instances && typeof f.instances === 'object') instances = f.instances;
    section.hidden = false;
    dirty = true;
  }

  /** An ANALYSIS event: a verdict on a batch (0 = the canary). */
  function verdict(e) {
    const f = e.fields ?? {};
    const v = f.verdict ?? { OK: 'pass', FAILED: 'fail', SKIPPED: 'inconclusive' }[e.outcome] ?? 'inconclusive';
    const batch = f.batch === 0 ? 'canary' : f.batch != null ? `batch ${f.batch}` : 'batch';
    const entry = { t: Date.parse(e.at), v, batch, f, reason: f.reason ?? e.detail ?? '' };
    verdicts.push(entry);
    const [icon, word] = VERDICT[v] ?? VERDICT.inconclusive;
    const pct = (x) => (x == null ? '—' : `${(x * (x <= 1 ? 100 : 1)).toFixed(2)}%`);
    const numbers = `success ${pct(f.successRate)} vs baseline ${pct(f.baselineSuccessRate)} · p99 ${f.p99Ms ?? '—'} ms vs `
      + `${f.baselineP99Ms ?? '—'} ms · ${number.format(f.requests ?? 0)} requests${entry.reason ? ` · ${entry.reason}` : ''}`;
    verdictList.append(h('li', { class: `verdict verdict-${v}`, title: numbers, dataset: { testid: `verdict-${v}` } },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, icon), ` ${batch} ${word}`,
      h('span', { class: 'numbers' }, ` · ${numbers}`)));
    section.hidden = false;
    dirty = true;
  }

  function render() {
    if (!dirty || section.hidden) return;
    dirty = false;
    if (totals) {
      text(requests, number.format(totals.requests));
      text(failed, number.format(totals.failed));
      totalsEl.classList.toggle('has-failed', totals.failed > 0);
      const i = at.length - 1;
      text(now, `now ${rate(rps[i])} req/s · ${rate(fps[i])} failed/s · ${passing[i]} passing · ${out[i]} out of rotation`);
    }
    draw();
  }

  function draw() {
    const t0 = timeline.t0();
    drawnEnd = timeline.end();
    const span = Math.max(1000, drawnEnd - t0, (at[at.length - 1] ?? t0) - t0);
    const w = Math.max(120, width);
    const plot = w - LEFT - 8;
    if (svg._w !== w) { svg._w = w; svg.setAttribute('viewBox', `0 0 ${w} ${HEIGHT}`); svg.setAttribute('width', w); }
    const x = (t) => LEFT + ((t - t0) / span) * plot;
    let maxRate = 1;
    let maxHosts = 1;
    for (let i = 0; i < at.length; i++) {
      if (rps[i] > maxRate) maxRate = rps[i];
      if (fps[i] > maxRate) maxRate = fps[i];
      if (passing[i] > maxHosts) maxHosts = passing[i];
      if (out[i] > maxHosts) maxHosts = out[i];
    }
    maxRate = nice(maxRate);
    const yRate = (v) => 8 + TOP - (v / maxRate) * TOP;
    const base = 8 + TOP + GAP;
    const yHosts = (v) => base + BOTTOM - (v / maxHosts) * BOTTOM;
    rpsPath.setAttribute('d', line(x, yRate, rps, false));
    fpsPath.setAttribute('d', line(x, yRate, fps, false));
    passingPath.setAttribute('d', line(x, yHosts, passing, true));
    outPath.setAttribute('d', line(x, yHosts, out, true));
    rpsPath.setAttribute('data-points', String(at.length));
    drawAxes(w, base, maxRate, maxHosts, duration(span));
    drawMarks(x, w, base);
  }

  // the axes and the verdicts' marks are built once and then only moved or relabelled: a redraw (a few a second
  // while samples arrive and the timeline grows) touches attributes, not the SVG's element tree
  let axesKey = '';
  let tickEnd = null;
  function drawAxes(w, base, maxRate, maxHosts, spanLabel) {
    const key = `${w} ${maxRate} ${maxHosts}`;
    if (key !== axesKey) {
      axesKey = key;
      tickEnd = s('text', { class: 'tick', x: w - 8, y: HEIGHT - 2, 'text-anchor': 'end' });
      axes.replaceChildren(
        s('line', { class: 'grid', x1: LEFT, x2: w - 8, y1: 8, y2: 8 }),
        s('line', { class: 'axis', x1: LEFT, x2: w - 8, y1: 8 + TOP, y2: 8 + TOP }),
        s('line', { class: 'axis', x1: LEFT, x2: w - 8, y1: base + BOTTOM, y2: base + BOTTOM }),
        s('text', { class: 'tick', x: LEFT - 6, y: 12, 'text-anchor': 'end' }, rate(maxRate)),
        s('text', { class: 'tick', x: LEFT - 6, y: 8 + TOP, 'text-anchor': 'end' }, '0'),
        s('text', { class: 'tick', x: LEFT - 6, y: base + 4, 'text-anchor': 'end' }, String(maxHosts)),
        s('text', { class: 'tick', x: LEFT - 6, y: base + BOTTOM, 'text-anchor': 'end' }, '0'),
        s('text', { class: 'tick', x: LEFT, y: HEIGHT - 2 }, '0s'),
        tickEnd);
    }
    text(tickEnd, spanLabel);
  }

  let markEls = [];
  function drawMarks(x, w, base) {
    if (markEls.length !== verdicts.length) {
      markEls = verdicts.map((v) => {
        const [icon] = VERDICT[v.v] ?? VERDICT.inconclusive;
        const line = s('line', { y1: 8, y2: base + BOTTOM });
        const label = s('text', { y: 20 }, `${icon} ${v.batch}`);
        const g = s('g', { class: `mark verdict-${v.v}`, 'data-testid': `verdict-mark-${v.v}` },
          s('title', {}, `${v.batch}: ${v.v}${v.reason ? ` — ${v.reason}` : ''}`), line, label);
        return { v, g, line, label, x: null };
      });
      marks.replaceChildren(...markEls.map((m) => m.g));
    }
    for (const m of markEls) {
      const vx = x(m.v.t).toFixed(1);
      if (m.x === vx) continue;
      m.x = vx;
      m.line.setAttribute('x1', vx);
      m.line.setAttribute('x2', vx);
      // near the right edge the label goes to the left of its line, so it is never cut
      const left = vx > w - 90;
      m.label.setAttribute('x', left ? vx - 3 : +vx + 3);
      m.label.setAttribute('text-anchor', left ? 'end' : 'start');
    }
  }

  /** The points of one series; with more samples than pixels, every k-th (the chart never draws more than its width). */
  function line(x, y, values, steps) {
    const n = at.length;
    if (!n) return '';
    const every = Math.max(1, Math.floor(n / Math.max(60, width)));
    let d = '';
    const point = (i) => {
      const px = x(at[i]).toFixed(1);
      const py = y(values[i]).toFixed(1);
      if (!d) d = `M${px} ${py}`;
      else d += steps ? `H${px}V${py}` : `L${px} ${py}`;
    };
    for (let i = 0; i < n; i += every) point(i);
    if ((n - 1) % every) point(n - 1);
    return d;
  }

  return {
    el: section, add, verdict, render,
    onRequest(fn) { request = fn; },
    /** The clock moved: redrawn on the next frame if the timeline's scale grew. */
    tick() { if ((at.length || verdicts.length) && timeline.end() !== drawnEnd) dirty = true; },
    samples: () => at.length,
    latest: () => instances,
  };
}

function nice(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}
