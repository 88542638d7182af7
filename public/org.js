import { api, describeError } from './api.js';
import { badge, h, when } from './dom.js';
import { renderIntegrations } from './integrations.js';
import { renderDevices } from './devices.js';
import { renderAlerts } from './alerts.js';
import { renderHealth } from './health.js';
import { renderVerify } from './verify.js';
import { renderOrgAudit, renderRuns, renderTokens } from './lists.js';
import { factorBars, historyChart } from './charts.js';

const RANK = { auditor: 1, admin: 2, owner: 3 };
const TITLES = {
  mfa_enrollment: 'User MFA enrollment',
  global_policy: 'Global authentication policy',
  admin_inventory: 'Administrator inventory',
  account_settings: 'Account lockout and password policy',
  auth_log_aggregate: 'Authentication log aggregate',
};
const FRAMEWORKS = {
  names: 'Controls',
  soc2: 'SOC 2',
  iso27001: 'ISO/IEC 27001:2022',
  nist80053: 'NIST SP 800-53 r5',
};
// The metric each signal's history chart follows, next to its status.
const TREND = {
  mfa_enrollment: 'enrollmentSharePct',
  auth_log_aggregate: 'failureRatePct',
  admin_inventory: 'total',
};

export async function renderOrg(view, slug, tab, user, rest = []) {
  const org = await api('GET', '/api/v1/orgs/' + encodeURIComponent(slug));
  const role = user.isAdmin ? 'owner' : org.role;
  const can = (min) => (RANK[role] || 0) >= RANK[min];
  const base = '#/org/' + encodeURIComponent(org.slug);
  const tabs = [
    ['controls', 'Controls'],
    ['integrations', 'Integrations'],
    ['devices', 'Trusted endpoints'],
    ['alerts', 'Alerts'],
    ['health', 'Health'],
    ['verify', 'Verify a user'],
    ['runs', 'Runs'],
    ['audit', 'Audit log'],
  ];
  if (can('admin')) tabs.push(['tokens', 'API tokens']);
  view.append(
    h('h1', {}, org.name, ' ', badge(org.worstStatus)),
    h(
      'nav',
      { class: 'tabs', 'aria-label': 'Organization sections' },
      h(
        'ul',
        {},
        tabs.map(([id, label]) =>
          h('li', {}, h('a', { href: base + '/' + id, 'aria-current': id === tab ? 'page' : false }, label)),
        ),
      ),
    ),
  );
  const section = h('section', {
    class: 'panel',
    'aria-label': tabs.find((t) => t[0] === tab)?.[1] || 'Controls',
  });
  view.append(section);
  if (tab === 'integrations') return renderIntegrations(section, org, can);
  if (tab === 'devices') return renderDevices(section, org, can);
  if (tab === 'alerts') return renderAlerts(section, org, can, rest[0]);
  if (tab === 'health') return renderHealth(section, org, can);
  if (tab === 'verify') return renderVerify(section, org, can);
  if (tab === 'runs') return renderRuns(section, org);
  if (tab === 'audit') return renderOrgAudit(section, org);
  if (tab === 'tokens') return renderTokens(section, org, role);
  return renderControls(section, org, can);
}

async function renderControls(section, org, can) {
  const path = '/api/v1/orgs/' + encodeURIComponent(org.slug);
  const evidence = await api('GET', path + '/evidence');
  const actions = h('div', { class: 'actions' });
  if (can('admin')) {
    const out = h('span', { class: 'muted', role: 'status' });
    const sync = h('button', { type: 'button', id: 'sync-now' }, 'Sync now');
    sync.addEventListener('click', async () => {
      sync.disabled = true;
      out.textContent = 'Queuing a sync…';
      try {
        const r = await api('POST', path + '/sync');
        out.textContent = r.queued
          ? 'Sync queued (run ' + (r.runId || 'pending') + '). Refresh in a moment to see new evidence.'
          : 'A sync is already queued.';
      } catch (error) {
        out.textContent = describeError(error);
      } finally {
        sync.disabled = false;
      }
    });
    actions.append(sync, out);
  }
  const exports = h('p', { class: 'exports' }, 'Export the last 90 days: ');
  for (const format of ['json', 'csv', 'html']) {
    exports.append(
      h(
        'a',
        { class: 'button secondary', href: path + '/evidence/export?format=' + format, download: '' },
        format.toUpperCase(),
      ),
      ' ',
    );
  }
  section.append(h('h2', {}, 'Controls'), actions, exports);
  if (!evidence.signals.length && !(evidence.pending || []).length) {
    section.append(
      h(
        'p',
        {},
        'No evidence yet. Add a Duo Admin API integration on the Integrations tab; the first sync runs right after it is saved.',
      ),
    );
    return;
  }
  const main = evidence.signals.filter((s) => !s.extended);
  for (const p of evidence.pending || []) {
    section.append(
      h(
        'p',
        { class: 'note', role: 'status', id: 'pending-' + p.signal },
        (TITLES[p.signal] || p.signal.replace(/_/g, ' ')) +
          ': ' +
          p.reason +
          ' (since ' +
          when(p.since) +
          ').',
      ),
    );
  }
  const extended = [...evidence.signals.filter((s) => s.extended), ...(evidence.extended || [])];
  const list = h('div', { class: 'cards signals' });
  section.append(list);
  for (const signal of main) list.append(signalCard(path, signal));
  if (extended.length) {
    const more = h('div', { class: 'cards signals' });
    section.append(h('h2', {}, 'Extended checks'), more);
    for (const signal of extended) more.append(signalCard(path, signal));
  }
}

function signalCard(path, signal) {
  const id = 'sig-' + signal.id;
  const card = h('article', { class: 'card signal', id, 'aria-labelledby': id + '-t' });
  card.append(
    h('h3', { id: id + '-t' }, TITLES[signal.id] || signal.id.replace(/_/g, ' '), ' ', badge(signal.status)),
    h('p', { class: 'muted' }, 'Checked ' + when(signal.finishedAt)),
  );
  if (signal.truncated || signal.notes.length) {
    card.append(
      h(
        'div',
        { class: 'note', role: 'note' },
        signal.truncated ? h('p', {}, 'Incomplete: a page cap cut this run short, so it cannot pass.') : null,
        signal.notes.map((n) => h('p', {}, n)),
      ),
    );
  }
  card.append(metricsList(signal.metrics));
  const m = signal.metrics;
  const owners = m.ownerNames || m.owners;
  if (Array.isArray(owners))
    card.append(
      h('h4', {}, 'Owners'),
      h(
        'ul',
        { class: 'names' },
        owners.map((o) => h('li', {}, typeof o === 'string' ? o : o.name || o.email || JSON.stringify(o))),
      ),
    );
  if (Array.isArray(m.bypassMembers)) {
    card.append(h('h4', {}, 'Users in bypass (' + m.bypassMembers.length + ')'));
    card.append(
      m.bypassMembers.length
        ? h(
            'ul',
            { class: 'names' },
            m.bypassMembers.map((u) =>
              h('li', {}, typeof u === 'string' ? u : [u.username, u.realname].filter(Boolean).join(' — ')),
            ),
          )
        : h('p', {}, 'None.'),
    );
  }
  if (m.factors && typeof m.factors === 'object') card.append(factorBars(m.factors));
  card.append(controlsList(signal.controls));
  const chartBox = h('div', {
    class: 'chart',
    role: 'img',
    'aria-label': 'History of ' + (TITLES[signal.id] || signal.id) + ' over 30 days',
  });
  card.append(h('h4', {}, 'Last 30 days'), chartBox);
  // Charts load after the cards are on screen, all at once rather than one after another.
  api('GET', path + '/evidence/' + encodeURIComponent(signal.id) + '/history')
    .then(({ records }) => historyChart(chartBox, records, TREND[signal.id]))
    .catch((error) => chartBox.append(h('p', {}, describeError(error))));
  return card;
}

function format(key, value) {
  if (typeof value === 'number' && /Pct$/.test(key)) return value.toFixed(1) + ' %';
  if (typeof value === 'number' && /share|rate/i.test(key)) return (value * 100).toFixed(1) + ' %';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

function metricsList(metrics) {
  const dl = h('dl', { class: 'metrics' });
  for (const [key, value] of Object.entries(metrics || {})) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      dl.append(
        h('dt', {}, key.replace(/([A-Z])/g, ' $1').toLowerCase()),
        h('dd', {}, value === null ? '—' : format(key, value)),
      );
    } else if (key === 'byStatus' || key === 'topReasons') {
      const entries = Array.isArray(value) ? value.map((r) => [r.reason, r.count]) : Object.entries(value);
      dl.append(
        h('dt', {}, key === 'byStatus' ? 'by status' : 'top non-success reasons'),
        h('dd', {}, entries.map(([k, v]) => k + ': ' + v).join(', ') || 'none'),
      );
    }
  }
  return dl;
}

function controlsList(controls) {
  let items = [];
  if (Array.isArray(controls))
    items = controls.map((c) =>
      typeof c === 'string' ? c : [c.framework, c.id, c.name].filter(Boolean).join(' '),
    );
  else if (controls && typeof controls === 'object') {
    items = Object.entries(controls)
      .filter(([, v]) => !Array.isArray(v) || v.length)
      .map(([k, v]) => (FRAMEWORKS[k] || k) + ': ' + (Array.isArray(v) ? v.join(', ') : String(v)));
  }
  if (!items.length) return h('p', { class: 'muted' }, 'No mapped controls.');
  return h(
    'div',
    {},
    h('h4', {}, 'Mapped controls'),
    h(
      'ul',
      { class: 'controls' },
      items.map((i) => h('li', {}, i)),
    ),
  );
}
