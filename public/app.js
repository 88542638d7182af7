import { api, describeError, setCsrf } from './api.js';
import { clear, h } from './dom.js';
import { renderOverview } from './overview.js';
import { renderOrg } from './org.js';
import { renderGlobalAudit, renderUsers } from './lists.js';
import { SECOND_STEP_SEEN, explainRefusal, explainReturn, factorNote, runSecondStep } from './second-step.js';
import { renderLogs } from './logs.js';

// The whole dashboard: a hash router over a few views. State is the signed-in user and how the session was
// opened (the Duo factor, or that none was used and why).
const state = { user: null, factor: null };
const $ = (id) => document.getElementById(id);

export function say(message) {
  $('status').textContent = message;
}

async function loadSession() {
  try {
    const s = await api('GET', '/api/v1/session');
    setCsrf(s.csrfToken);
    state.user = s.user;
    // Only a deployment that runs the Duo step records how sessions were opened; a browser learns that
    // from its first sign-in answer here, so others never ask (and never log a 404 for the missing route).
    state.factor = window.localStorage.getItem(SECOND_STEP_SEEN)
      ? await api('GET', '/api/v1/verify/session')
          .then((f) => f.secondFactor)
          .catch(() => null)
      : null;
  } catch {
    state.user = null;
  }
}

function showShell() {
  const signedIn = state.user !== null;
  $('login').hidden = signedIn;
  $('nav').hidden = !signedIn;
  $('who').hidden = !signedIn;
  $('view').hidden = !signedIn;
  // A session opened without a second factor says so on every page, not only once.
  const note = signedIn && state.factor && !state.factor.mfa;
  $('session-note').hidden = !note;
  $('session-note').textContent = note
    ? 'This session was opened without a second factor (' + state.factor.reason + '); it is in the audit log.'
    : '';
  if (signedIn) {
    $('who-name').textContent = state.user.username + (state.user.isAdmin ? ' (administrator)' : '');
    $('who-factor').textContent = state.factor ? '· ' + factorNote(state.factor) : '';
    $('nav-audit').hidden = !state.user.isAdmin;
    $('nav-users').hidden = !state.user.isAdmin;
  }
}

async function route() {
  showShell();
  if (!state.user) {
    $('login-username').focus();
    return;
  }
  const view = clear($('view'));
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] === 'org' && parts[1])
      await renderOrg(view, parts[1], parts[2] || 'controls', state.user, parts.slice(3));
    else if (parts[0] === 'logs') await renderLogs(view, state.user);
    else if (parts[0] === 'audit') await renderGlobalAudit(view);
    else if (parts[0] === 'users') await renderUsers(view);
    else await renderOverview(view);
  } catch (error) {
    if (error.status === 401) {
      state.user = null;
      return route();
    }
    view.append(h('p', { class: 'error', role: 'alert' }, describeError(error)));
  }
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  const heading = view.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $('login-error').textContent = '';
  try {
    const s = await api('POST', '/api/v1/session', {
      username: String(form.get('username') || ''),
      password: String(form.get('password') || ''),
    });
    $('login-password').value = '';
    if (s.next === 'duo_2fa') {
      $('login-form').hidden = true;
      runSecondStep($('login-2fa'), s, signedIn, (message) => {
        $('login-form').hidden = false;
        $('login-error').textContent = message || '';
        $('login-username').focus();
      });
      return;
    }
    await signedIn(s);
  } catch (error) {
    $('login-error').textContent = explainRefusal(error);
  }
});

async function signedIn(s) {
  $('login-form').hidden = false;
  setCsrf(s.csrfToken);
  state.user = s.user;
  state.factor = s.secondFactor || null;
  if (state.factor) window.localStorage.setItem(SECOND_STEP_SEEN, '1');
  const note = factorNote(state.factor);
  say('Signed in as ' + s.user.username + (note ? ' (' + note + ').' : '.'));
  await route();
}

$('logout').addEventListener('click', async () => {
  try {
    await api('DELETE', '/api/v1/session');
  } finally {
    state.user = null;
    state.factor = null;
    setCsrf(null);
    say('Signed out.');
    location.hash = '#/';
    await route();
  }
});

// Only "#/…" hashes are routes; the skip link's "#main" moves focus and leaves the view alone.
window.addEventListener('hashchange', () => {
  if (location.hash === '' || location.hash.startsWith('#/')) void route();
});
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  $('main').focus();
});
// Back from Duo's Universal Prompt with a refusal: say why on the sign-in form, then drop it from the address.
const returned = new URLSearchParams(location.search).get('login_error');
if (returned) {
  history.replaceState(null, '', location.pathname + location.hash);
  $('login-error').textContent = explainReturn(returned);
}
await loadSession();
await route();
