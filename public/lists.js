import { api, describeError } from './api.js';
import { badge, clear, h, table, when } from './dom.js';

export async function renderRuns(section, org) {
  const { runs } = await api('GET', '/api/v1/orgs/' + encodeURIComponent(org.slug) + '/runs?limit=100');
  section.append(h('h2', {}, 'Runs'));
  if (!runs.length) {
    section.append(h('p', {}, 'No runs yet.'));
    return;
  }
  section.append(
    table(
      'Recent job runs, newest first',
      ['Started', 'Job', 'Status', 'Duration', 'What happened'],
      runs.map((r) => [
        when(r.startedAt || r.scheduledFor),
        r.kind.replace(/_/g, ' '),
        badge(r.status === 'succeeded' ? 'pass' : r.status === 'failed' ? 'fail' : r.status),
        r.durationMs === null ? '—' : (r.durationMs / 1000).toFixed(1) + ' s',
        r.explanation ||
          r.errorMessage ||
          Object.entries(r.counts)
            .map(([k, v]) => v + ' ' + k)
            .join(', ') ||
          '—',
      ]),
    ),
  );
}

function auditTable(caption, entries) {
  return table(
    caption,
    ['When', 'Who', 'Action', 'Target', 'Outcome', 'From'],
    entries.map((e) => [
      when(e.at),
      e.actor,
      e.action,
      e.target || '—',
      badge(e.outcome === 'success' ? 'ok' : 'fail'),
      e.ip || '—',
    ]),
  );
}

export async function renderOrgAudit(section, org) {
  const { entries } = await api('GET', '/api/v1/orgs/' + encodeURIComponent(org.slug) + '/audit?limit=200');
  section.append(
    h('h2', {}, 'Audit log'),
    entries.length
      ? auditTable('Changes in ' + org.name + ', newest first', entries)
      : h('p', {}, 'Nothing yet.'),
  );
}

export async function renderGlobalAudit(view) {
  const { entries } = await api('GET', '/api/v1/audit?limit=300');
  view.append(h('h1', {}, 'Audit log'), auditTable('Every sign-in and change, newest first', entries));
}

export async function renderTokens(section, org, role) {
  const path = '/api/v1/orgs/' + encodeURIComponent(org.slug) + '/tokens';
  const { tokens } = await api('GET', path);
  const out = h('div', { class: 'out', 'aria-live': 'polite' });
  section.append(
    h('h2', {}, 'API tokens'),
    h(
      'p',
      {},
      'For automation: send "Authorization: Bearer <token>". A token acts on this organization only, with its role.',
    ),
  );
  section.append(
    tokens.length
      ? table(
          'Tokens',
          ['Label', 'Role', 'Created', 'Expires', 'Last used', ''],
          tokens.map((t) => {
            const revoke = h('button', { type: 'button', class: 'danger' }, 'Revoke');
            revoke.addEventListener('click', async () => {
              try {
                await api('DELETE', path + '/' + encodeURIComponent(t.id));
                window.dispatchEvent(new Event('hashchange'));
              } catch (error) {
                clear(out).append(h('p', { class: 'error' }, describeError(error)));
              }
            });
            return [t.label, t.role, when(t.createdAt), when(t.expiresAt), when(t.lastUsedAt), revoke];
          }),
        )
      : h('p', {}, 'No tokens.'),
  );
  const roles = ['auditor', 'admin', 'owner'].slice(0, role === 'owner' ? 3 : 2);
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'tok-title' },
    h('h3', { id: 'tok-title' }, 'New token'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'tok-label' }, 'Label'),
      h('input', { id: 'tok-label', name: 'label', required: true, maxlength: 100 }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'tok-role' }, 'Role'),
      h(
        'select',
        { id: 'tok-role', name: 'role' },
        roles.map((r) => h('option', { value: r }, r)),
      ),
    ),
    h('button', { type: 'submit' }, 'Create token'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const r = await api('POST', path, {
        label: form.elements.label.value.trim(),
        role: form.elements.role.value,
      });
      clear(out).append(
        h('p', {}, 'Copy this token now; it is not shown again:'),
        h('output', { class: 'token' }, r.token),
      );
    } catch (error) {
      clear(out).append(h('p', { class: 'error' }, describeError(error)));
    }
  });
  section.append(form, out);
}

export async function renderUsers(view) {
  const { users } = await api('GET', '/api/v1/users');
  const out = h('div', { class: 'out', 'aria-live': 'polite' });
  view.append(
    h('h1', {}, 'Users'),
    table(
      'Operators',
      ['Username', 'Administrator', 'Roles', 'Status'],
      users.map((u) => [
        u.username,
        u.isAdmin ? 'yes' : 'no',
        u.memberships.map((m) => (m.orgSlug || m.orgId) + ': ' + m.role).join(', ') || '—',
        u.disabled ? 'disabled' : 'active',
      ]),
    ),
  );
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'user-title' },
    h('h2', { id: 'user-title' }, 'New operator'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'user-name' }, 'Username'),
      h('input', { id: 'user-name', name: 'username', required: true, autocomplete: 'off' }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'user-pass' }, 'Initial password (12 characters or more)'),
      h('input', {
        id: 'user-pass',
        name: 'password',
        type: 'password',
        required: true,
        minlength: 12,
        autocomplete: 'new-password',
      }),
    ),
    h('button', { type: 'submit' }, 'Create'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('POST', '/api/v1/users', {
        username: form.elements.username.value.trim(),
        password: form.elements.password.value,
      });
      form.reset();
      window.dispatchEvent(new Event('hashchange'));
    } catch (error) {
      clear(out).append(h('p', { class: 'error' }, describeError(error)));
    }
  });
  view.append(form, out);
}
