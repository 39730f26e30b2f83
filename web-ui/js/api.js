// The one place that talks to the Baton server: token storage, JSON calls and the event stream.
// The token lives in sessionStorage and only ever travels in the Authorization header.

const TOKEN = 'baton.token';
const ROLE = 'baton.role';
const BASE = 'api/v1'; // relative: the dashboard is served by the server it talks to

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  get role() { return sessionStorage.getItem(ROLE); },
  set(token, role) { sessionStorage.setItem(TOKEN, token); sessionStorage.setItem(ROLE, role); },
  clear() { sessionStorage.removeItem(TOKEN); sessionStorage.removeItem(ROLE); },
  canControl() { return this.role === 'deployer' || this.role === 'admin'; },
};

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

let onUnauthorized = () => {};
/** Called with a message whenever the server answers 401: the app goes back to sign-in. */
export function whenUnauthorized(fn) { onUnauthorized = fn; }

function headers(token, extra) {
  return { Authorization: `Bearer ${token ?? session.token ?? ''}`, Accept: 'application/json', ...extra };
}

async function failure(res) {
  let line = '';
  try { line = (await res.json()).error ?? ''; } catch { /* not JSON */ }
  return new ApiError(res.status, line || `${res.status} ${res.statusText || 'error'}`);
}

/** One JSON call. Throws ApiError with the server's error line; a 401 also signs the user out. */
export async function api(path, { method = 'GET', signal, token } = {}) {
  let res;
  try {
    res = await fetch(`${BASE}${path}`, { method, signal, cache: 'no-store', headers: headers(token) });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'The Baton server cannot be reached.');
  }
  if (!res.ok) {
    const err = await failure(res);
    if (res.status === 401 && !token) onUnauthorized('The server no longer accepts your token (401). Sign in again.');
    throw err;
  }
  return res.status === 204 ? null : res.json();
}

let worker = null;
let asks = 0;
const waiting = new Map();
/**
 * GET /rollouts/{id} parsed in a worker, with only the events after `after` (and `lastSeq`, the answer's last seq):
 * the refresh of a large rollout without a long task on the page. With `lastTraffic`, only its last TRAFFIC sample
 * and no hosts. Errors as api() throws them.
 */
export function rolloutSnapshot(id, after, { lastTraffic = false } = {}) {
  if (!worker) {
    worker = new Worker('js/snapshot-worker.js');
    worker.onmessage = ({ data }) => {
      const pending = waiting.get(data.ask);
      waiting.delete(data.ask);
      if (!pending) return;
      if (data.body) { pending.resolve(data.body); return; }
      if (data.status === 401) onUnauthorized('The server no longer accepts your token (401). Sign in again.');
      pending.reject(new ApiError(data.status, data.error));
    };
  }
  const ask = ++asks;
  const url = new URL(`${BASE}/rollouts/${encodeURIComponent(id)}`, location.href).href;
  return new Promise((resolve, reject) => {
    waiting.set(ask, { resolve, reject });
    worker.postMessage({ ask, url, token: session.token ?? '', after, lastTraffic });
  });
}

let words = null;
/** The engine's steps and host states, declared once on the server; fetched once per page. */
export function vocabulary() {
  words ??= api('/vocabulary').catch((e) => { words = null; throw e; });
  return words;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'ABORTED', 'ROLLED_BACK']);
export const isTerminal = (status) => TERMINAL.has(status);

/**
 * Follows a rollout's Server-Sent Events with fetch() (EventSource cannot send the Authorization header).
 * Resumes after `after` (the last seq already known) and, after a drop, after the last id received,
 * with a bounded backoff, until the final status arrived or done() says the rollout ended.
 * Calls onEvent(event), onStatus(status), onConnection(state, detail).
 * Returns { close() }.
 */
export function followEvents(id, { after, onEvent, onStatus, onConnection, done = () => false }) {
  let lastId = after == null ? null : String(after);
  let closed = false;
  let finished = false;
  let controller = null;
  let attempt = 0;
  let retryTimer = 0;
  let watchdog = 0;

  const dispatch = (type, data) => {
    if (!data) return;
    let body;
    try { body = JSON.parse(data); } catch { return; }
    if (type === 'status') {
      onStatus(body.status);
      if (isTerminal(body.status)) finished = true;
    } else if (type === 'event' || type === 'message') {
      onEvent(body);
    }
  };

  const armWatchdog = () => {
    clearTimeout(watchdog);
    // the server sends a keep-alive every 15 s: silence for 40 s means the connection is dead
    watchdog = setTimeout(() => controller?.abort(), 40000);
  };

  async function connect() {
    if (closed) return;
    controller = new AbortController();
    const extra = { Accept: 'text/event-stream' };
    if (lastId != null) extra['Last-Event-ID'] = lastId;
    onConnection(attempt ? 'reconnecting' : 'connecting');
    let res;
    try {
      armWatchdog();
      res = await fetch(`${BASE}/rollouts/${encodeURIComponent(id)}/events`,
        { headers: headers(null, extra), cache: 'no-store', signal: controller.signal });
    } catch {
      return retry();
    }
    if (res.status === 401) { clearTimeout(watchdog); onUnauthorized('The server no longer accepts your token (401). Sign in again.'); return; }
    if (!res.ok || !res.body) {
      const err = await failure(res);
      if (res.status >= 400 && res.status < 500) { clearTimeout(watchdog); onConnection('failed', err.message); return; }
      return retry();
    }
    onConnection('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let type = '';
    let data = [];
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        attempt = 0;
        armWatchdog();
        buffer += value;
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop(); // an unfinished line waits for the next chunk
        for (const line of lines) {
          if (line === '') { // a blank line ends one message
            dispatch(type || 'message', data.join('\n'));
            type = ''; data = [];
            continue;
          }
          if (line.startsWith(':')) continue; // comment, e.g. keep-alive
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let val = colon < 0 ? '' : line.slice(colon + 1);
          if (val.startsWith(' ')) val = val.slice(1);
          if (field === 'data') data.push(val);
          else if (field === 'event') type = val;
          else if (field === 'id' && !val.includes('\0')) lastId = val;
        }
      }
    } catch {
      // dropped mid-stream: fall through to retry
    }
    clearTimeout(watchdog);
    if (closed) return;
    if (finished || done()) { onConnection('ended'); return; }
    retry();
  }

  function retry() {
    clearTimeout(watchdog);
    if (closed) return;
    if (done()) { onConnection('ended'); return; }
    const delay = Math.min(10000, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
    attempt = Math.min(attempt + 1, 6);
    onConnection('waiting', Math.round(delay / 1000));
    retryTimer = setTimeout(connect, delay);
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(watchdog);
      controller?.abort();
    },
  };
}
