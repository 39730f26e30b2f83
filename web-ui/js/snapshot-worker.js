// Refreshes a rollout's snapshot off the page's main thread: for a 1,000-host rollout the answer is megabytes of
// JSON, and parsing it on the main thread would freeze the page for a frame or more. Hands back the answer with only
// the events after the page's last one (it has the others), and the last seq of the answer as `lastSeq`.
// With `lastTraffic`, only the last TRAFFIC sample is handed back (the fleet view's per-instance rates), no hosts.
self.onmessage = async ({ data: { ask, url, token, after, lastTraffic } }) => {
  let res;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, cache: 'no-store' });
  } catch {
    self.postMessage({ ask, status: 0, error: 'The Baton server cannot be reached.' });
    return;
  }
  try {
    if (!res.ok) {
      let error = '';
      try { error = (await res.json()).error ?? ''; } catch { /* not JSON */ }
      self.postMessage({ ask, status: res.status, error: error || `${res.status} ${res.statusText || 'error'}` });
      return;
    }
    const body = await res.json();
    const events = body.events ?? [];
    body.lastSeq = events.length ? events[events.length - 1].seq ?? 0 : 0;
    if (lastTraffic) {
      let sample = null;
      for (let i = events.length - 1; i >= 0 && !sample; i--) if (events[i].step === 'TRAFFIC') sample = events[i];
      body.events = sample ? [sample] : [];
      body.hosts = [];
    } else {
      body.events = events.filter((e) => e.seq > after);
    }
    self.postMessage({ ask, status: res.status, body });
  } catch (e) {
    self.postMessage({ ask, status: 0, error: `unreadable answer: ${e.message}` });
  }
};
