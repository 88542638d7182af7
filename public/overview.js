import { api } from './api.js';
import { badge, h } from './dom.js';

const RANK = { fail: 0, warning: 1, pass: 2 };

export async function renderOverview(view) {
  const { organizations } = await api('GET', '/api/v1/orgs');
  view.append(h('h1', {}, 'Organizations'));
  if (!organizations.length) {
    view.append(
      h('p', {}, 'You have no organization yet. An administrator can create one and grant you a role.'),
    );
    return;
  }
  // Worst first: what needs attention comes to the top.
  const sorted = [...organizations].sort(
    (a, b) => (RANK[a.worstStatus] ?? 3) - (RANK[b.worstStatus] ?? 3) || a.slug.localeCompare(b.slug),
  );
  view.append(
    h(
      'ul',
      { class: 'cards', 'aria-label': 'Organizations by worst status' },
      sorted.map((o) =>
        h(
          'li',
          { class: 'card org-card' },
          h('h2', {}, h('a', { href: '#/org/' + encodeURIComponent(o.slug) }, o.name)),
          h('p', {}, 'Worst status: ', badge(o.worstStatus)),
          h('p', { class: 'muted' }, o.slug + (o.role ? ' · your role: ' + o.role : '')),
        ),
      ),
    ),
  );
}
