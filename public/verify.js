import { api, describeError } from './api.js';
import { h, table, when } from './dom.js';

// "Verify this user" (docs/verify.md): an admin sends a Duo push whose details say who asks and why (for
// incident response); everyone in the organization sees the recorded answers. While a request waits for
// the user, the list refreshes itself (bounded), so the answer appears without reloading.

const ANSWER = {
  waiting: 'Waiting for the user',
  allow: 'Approved',
  deny: 'Denied',
  error: 'Could not be sent',
};

const REFRESH_MS = 2000;
const MAX_REFRESHES = 60; // two minutes: Duo times a push out after about one.

function answerText(r) {
  if (r.status === 'fraud') return 'Reported as fraud';
  if (r.state === 'deny' && r.status === 'timeout') return 'No answer (timed out)';
  return ANSWER[r.state] || r.state;
}

function requestsTable(requests) {
  if (!requests.length) return h('p', { class: 'muted' }, 'No user has been verified yet.');
  return table(
    'Verification requests, newest first',
    ['Requested', 'User', 'Reason', 'Asked by', 'Answer', "Duo's message", 'Answered'],
    requests.map((r) => [
      when(r.createdAt),
      r.username,
      r.reason,
      r.requestedBy,
      answerText(r),
      r.statusMsg || '—',
      when(r.finishedAt),
    ]),
  );
}

export async function renderVerify(section, org, can) {
  const path = '/api/v1/orgs/' + encodeURIComponent(org.slug) + '/verify/users';
  section.append(
    h('h2', {}, 'Verify a user'),
    h(
      'p',
      { class: 'muted' },
      'Sends a Duo Push to the user with your reason in its details, and records the answer in the audit log. A denial or a fraud report raises an alert.',
    ),
  );
  const list = h('div', { id: 'verify-requests', 'aria-live': 'polite' });
  let refreshes = 0;
  let timer = null;
  const refresh = async () => {
    timer = null;
    if (!section.isConnected) return;
    try {
      const { requests } = await api('GET', path);
      list.replaceChildren(requestsTable(requests));
      if (requests.some((r) => r.state === 'waiting') && refreshes++ < MAX_REFRESHES)
        timer = setTimeout(refresh, REFRESH_MS);
    } catch (error) {
      list.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
  };
  if (can('admin')) {
    const out = h('p', { role: 'status' });
    const form = h(
      'form',
      {
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const data = new FormData(form);
          const button = form.querySelector('button');
          button.disabled = true;
          out.textContent = 'Sending the push…';
          try {
            const r = await api('POST', path, {
              username: String(data.get('username') || '').trim(),
              reason: String(data.get('reason') || '').trim(),
            });
            out.textContent = 'Push sent to ' + r.username + '; waiting for the answer.';
            form.reset();
            refreshes = 0;
            if (timer === null) await refresh();
          } catch (error) {
            out.textContent = describeError(error);
          } finally {
            button.disabled = false;
          }
        },
      },
      h('label', { for: 'verify-username' }, 'Duo username'),
      h('input', { id: 'verify-username', name: 'username', required: true, autocomplete: 'off' }),
      h('label', { for: 'verify-reason' }, 'Reason (shown to the user in the push)'),
      h('input', { id: 'verify-reason', name: 'reason', required: true, maxlength: 500 }),
      h('div', {}, h('button', { type: 'submit' }, 'Send verification push')),
      out,
    );
    section.append(form);
  }
  section.append(h('h3', {}, 'Recorded results'), list);
  await refresh();
}
