// Boot, sign-in and hash routing: #/ (rollouts), #/rollouts/{id}, #/fleet, #/schedules, #/audit (admins).
import { api, session, whenUnauthorized, ApiError } from './api.js';
import { h } from './ui.js';
import { rolloutList } from './list.js';
import { rolloutView } from './rollout.js';
import { fleetView } from './fleet.js';
import { auditView } from './audit.js';
import { schedulesView } from './schedules.js';

const main = document.getElementById('main');
let cleanup = null;

function stopView() {
  if (cleanup) { try { cleanup(); } catch { /* view already gone */ } }
  cleanup = null;
}

function signedIn(on) {
  for (const el of document.querySelectorAll('[data-signed-in]')) el.hidden = !on;
  for (const el of document.querySelectorAll('[data-admin-only]')) el.hidden = !(on && session.role === 'admin');
  document.getElementById('role').textContent = on ? session.role : '';
  document.getElementById('role').title = on ? `Signed in as ${session.role}` : '';
}

function signIn(message) {
  stopView();
  signedIn(false);
  document.title = 'Sign in · Baton';
  const input = h('input', {
    id: 'token', name: 'token', type: 'password', required: true, autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'token-help signin-error', dataset: { testid: 'token-input' },
  });
  const error = h('p', { id: 'signin-error', class: 'form-error', role: 'alert', dataset: { testid: 'signin-error' } }, message ?? '');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'signin-submit' } }, 'Sign in');
  const form = h('form', { class: 'signin panel', 'aria-labelledby': 'signin-title', novalidate: true },
    h('h1', { id: 'signin-title' }, 'Sign in to Baton'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { id: 'token-help', class: 'muted small' }, 'Kept for this browser tab only and sent to the Baton server with every request.'),
    error,
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (!token) { error.textContent = 'Enter your API token.'; input.focus(); return; }
    submit.disabled = true;
    error.textContent = '';
    try {
      const me = await api('/me', { token });
      session.set(token, me.role);
      signedIn(true);
      route();
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401
        ? 'That token was not accepted. Check it and try again.' : err.message;
      input.select();
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  main.replaceChildren(form);
  input.focus();
}

function route() {
  if (!session.token) { signIn(); return; }
  stopView();
  const hash = location.hash.replace(/^#/, '') || '/';
  const rollout = hash.match(/^\/rollouts\/([^/]+)$/);
  let section = 'rollouts';
  if (rollout) {
    cleanup = rolloutView(main, decodeURIComponent(rollout[1]));
  } else if (hash === '/audit' && session.role === 'admin') {
    section = 'audit';
    cleanup = auditView(main);
  } else if (hash === '/schedules') {
    section = 'schedules';
    cleanup = schedulesView(main);
  } else if (hash === '/fleet') {
    section = 'fleet';
    cleanup = fleetView(main);
  } else {
    cleanup = rolloutList(main);
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

whenUnauthorized((message) => { session.clear(); signIn(message); });

document.getElementById('signout').addEventListener('click', () => {
  session.clear();
  signIn('Signed out.');
});

// the skip link focuses <main> without touching the hash router
document.querySelector('[data-skip]').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });

window.addEventListener('hashchange', () => { route(); main.focus({ preventScroll: true }); });

if (session.token) {
  signedIn(true);
  route();
  // refresh the role: the token may have changed role (or been revoked) since it was stored
  api('/me').then((me) => { if (me.role !== session.role) { session.set(session.token, me.role); signedIn(true); route(); } })
    .catch(() => { /* 401 is handled by whenUnauthorized; other errors show in the view */ });
} else {
  signIn();
}
