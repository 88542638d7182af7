import { api, describeError } from './api.js';
import { badge, clear, h, table, when } from './dom.js';

// Alerts of one organization: a filtered list, and a detail page (#/org/<slug>/alerts/<id>) with the
// triggering events, the triage fields and acknowledge/resolve for admins. Auditors read only.

const STATUSES = ['open', 'acknowledged', 'resolved', 'suppressed'];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
// Filters survive moving between the list and a detail page (module state, not the URL: a text filter may
// hold a user name, which should not end up in the browser history).
const filters = { status: 'open', severity: '', rule: '', text: '' };

function orgPath(org) {
  return '/api/v1/orgs/' + encodeURIComponent(org.slug);
}

/** True for the emulated demo tenant: its alerts come from emulated events, never from a real Duo. */
export function isDemo(org) {
  return org.slug === 'demo' || /emulated/i.test(org.name || '');
}

function demoNote(org) {
  if (!isDemo(org)) return null;
  return h(
    'p',
    { class: 'note demo', role: 'note' },
    h('strong', {}, 'Demo tenant: '),
    'this organization is an EMULATED Duo tenant. Its alerts come from the emulated tenant’s events and probes, not from a real Duo.',
  );
}

function countText(a) {
  return a.count > 1 ? a.count + ' (' + (a.count - 1) + ' repeats folded in)' : '1';
}

function whoText(a) {
  if (!a.statusBy) return '—';
  return a.status + ' by ' + a.statusBy + (a.statusAt ? ' at ' + when(a.statusAt) : '');
}

/** Case-insensitive match over what a person reads: title, rule, entity and the triage values. */
function select(id, label, options, value) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name: id },
      h('option', { value: '' }, 'any'),
      options.map((o) => h('option', { value: o, selected: o === value }, o)),
    ),
  );
}

export async function renderAlerts(section, org, can, alertId) {
  if (alertId) return renderAlert(section, org, can, alertId);
  section.append(h('h2', {}, 'Alerts'), demoNote(org));
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter alerts', role: 'search' },
    select('alert-status', 'Status', STATUSES, filters.status),
    select('alert-severity', 'Severity', SEVERITIES, filters.severity),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'alert-rule' }, 'Rule'),
      h('input', {
        id: 'alert-rule',
        name: 'rule',
        value: filters.rule,
        list: 'alert-rules',
        maxlength: 100,
      }),
      h('datalist', { id: 'alert-rules' }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'alert-text' }, 'Text'),
      h('input', { id: 'alert-text', name: 'text', type: 'search', value: filters.text, maxlength: 200 }),
    ),
    h('button', { type: 'submit' }, 'Apply filters'),
  );
  const out = h('div', { class: 'alert-list', 'aria-live': 'polite', 'aria-busy': 'false' });
  section.append(form, out);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters.status = form.elements['alert-status'].value;
    filters.severity = form.elements['alert-severity'].value;
    filters.rule = form.elements['alert-rule'].value.trim();
    filters.text = form.elements['alert-text'].value.trim();
    void fill(out, org, form.querySelector('datalist'));
  });
  await fill(out, org, form.querySelector('datalist'));
}

// One page of alerts; "Older alerts" asks the server for the next page by the last one's cursor.
const PAGE = 100;

async function fill(out, org, datalist, cursor) {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (filters.status) q.set('status', filters.status);
  if (filters.severity) q.set('severity', filters.severity);
  if (filters.rule) q.set('rule', filters.rule);
  // The text is searched by the server (title, rule, entity and triage fields), over every alert.
  if (filters.text) q.set('q', filters.text);
  if (cursor) {
    q.set('before', cursor.before);
    q.set('before_id', cursor.before_id);
  }
  // The old list goes at once, so nobody (person or test) reads it as the answer to the new filters.
  clear(out).append(h('p', { class: 'muted' }, 'Loading alerts…'));
  out.setAttribute('aria-busy', 'true');
  let page;
  try {
    page = await api('GET', orgPath(org) + '/alerts?' + q.toString());
  } catch (error) {
    clear(out).append(h('p', { class: 'error', role: 'alert' }, describeError(error)));
    return;
  } finally {
    out.setAttribute('aria-busy', 'false');
  }
  const shown = page.alerts;
  if (!cursor) {
    const rules = [...new Set(shown.map((a) => a.rule))].sort();
    clear(datalist).append(...rules.map((r) => h('option', { value: r })));
  }
  clear(out);
  const nav = h('div', { class: 'actions' });
  if (cursor) {
    const newest = h('button', { type: 'button', class: 'secondary' }, 'Newest alerts');
    newest.addEventListener('click', () => void fill(out, org, datalist));
    nav.append(newest);
  }
  if (page.older) {
    const older = h('button', { type: 'button', class: 'secondary' }, 'Older alerts');
    older.addEventListener('click', () => void fill(out, org, datalist, page.older));
    nav.append(older);
  }
  if (!shown.length) {
    out.append(h('p', {}, cursor ? 'No older alerts.' : 'No alerts match these filters.'), nav);
    return;
  }
  const base = '#/org/' + encodeURIComponent(org.slug) + '/alerts/';
  out.append(
    table(
      shown.length +
        ' alert(s), most recently seen first' +
        (cursor ? ', older than ' + when(cursor.before) : ''),
      ['Last seen', 'Severity', 'Status', 'Alert', 'Entity', 'Count', 'Changed by'],
      shown.map((a) => [
        when(a.lastSeen),
        badge(a.severity),
        badge(a.status),
        h(
          'span',
          {},
          h('a', { href: base + encodeURIComponent(a.id) }, a.title),
          h('br'),
          h('code', {}, a.rule),
          a.fields.tenant ? [' ', h('span', { class: 'badge badge-demo' }, 'emulated')] : null,
        ),
        a.entity,
        countText(a),
        whoText(a),
      ]),
    ),
  );
  out.append(nav);
}

function fieldValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

async function renderAlert(section, org, can, id, announce) {
  const path = orgPath(org) + '/alerts/' + encodeURIComponent(id);
  const a = await api('GET', path);
  section.append(
    h('p', {}, h('a', { href: '#/org/' + encodeURIComponent(org.slug) + '/alerts' }, '← All alerts')),
    h('h2', {}, a.title, ' ', badge(a.severity), ' ', badge(a.status)),
    demoNote(org),
  );
  const facts = h('dl', { class: 'metrics', 'aria-label': 'Alert' });
  const rows = [
    ['rule', a.rule],
    ['source', a.source],
    ['entity', a.entity],
    ['first seen', when(a.firstSeen)],
    ['last seen', when(a.lastSeen)],
    ['count', countText(a)],
    ['status', a.status],
    ['changed by', a.statusBy || '—'],
    ['changed at', when(a.statusAt)],
    ['note', a.statusNote || '—'],
  ];
  for (const [k, v] of rows) facts.append(h('dt', {}, k), h('dd', { 'data-field': k }, v));
  section.append(facts);

  const fields = Object.entries(a.fields);
  const triage = fields.length
    ? table(
        'Triage fields',
        ['Field', 'Value'],
        fields.map(([k, v]) => [k, fieldValue(v)]),
      )
    : h('p', {}, 'No triage fields were recorded.');
  if (!a.eventIds.length) {
    // Health, device and login alerts come from a check or a request, not from a collected log event.
    section.append(
      h('h3', {}, 'Raised by a check'),
      h('p', { class: 'muted' }, 'Raised by ' + a.source + ', not by a collected log event. What it saw:'),
      triage,
    );
  } else {
    const ids = h(
      'ul',
      { class: 'names events', 'aria-label': 'Event ids' },
      a.eventIds.map((e) => h('li', {}, h('code', {}, e))),
    );
    section.append(
      h('h3', {}, 'Triggering events (' + a.eventIds.length + ')'),
      h(
        'p',
        { class: 'muted' },
        'The ids of the events that raised this alert (the duowatch.id field the log collector gives each event in the log sinks: search your SIEM for them), and the triage fields of the event that fired the rule; when repeats were folded in, a later event’s value replaces an earlier one’s.',
      ),
      h('h4', {}, 'Event ids'),
      // A long list (up to 200 ids) stays folded so the triage fields are not pushed off screen.
      a.eventIds.length > 20
        ? h('details', {}, h('summary', {}, 'Show all ' + a.eventIds.length + ' event ids'), ids)
        : ids,
      triage,
    );
  }
  // After a change the detail is drawn again from the server's answer, so "who did it" is what was stored;
  // focus stays on the Handle box (not the page top) and the outcome is announced.
  const again = async (message) => {
    clear(section);
    try {
      await renderAlert(section, org, can, id, message);
    } catch (error) {
      section.append(h('p', { class: 'error', role: 'alert' }, message + ' ' + describeError(error)));
    }
  };
  section.append(actions(path, a, can, again));
  if (announce) {
    const box = section.querySelector('#alert-actions-t');
    box.setAttribute('tabindex', '-1');
    box.focus();
    const status = document.getElementById('status');
    if (status) status.textContent = announce;
  }
}

function actions(path, a, can, again) {
  const box = h('div', { class: 'card', 'aria-labelledby': 'alert-actions-t' });
  box.append(h('h3', { id: 'alert-actions-t' }, 'Handle'));
  if (!can('admin')) {
    box.append(h('p', {}, 'You can read alerts; acknowledging and resolving needs the admin role.'));
    return box;
  }
  if (a.status === 'resolved') {
    box.append(h('p', {}, 'Resolved by ' + (a.statusBy || 'unknown') + ' at ' + when(a.statusAt) + '.'));
    return box;
  }
  const out = h('p', { role: 'status' });
  const note = h('input', { id: 'alert-note', name: 'note', maxlength: 1000, autocomplete: 'off' });
  const act = async (verb, button) => {
    button.disabled = true;
    out.textContent = '';
    try {
      const body = note.value.trim() ? { note: note.value.trim() } : {};
      const changed = await api('POST', path + '/' + verb, body);
      await again('Alert ' + changed.status + ' by ' + changed.statusBy + '.');
    } catch (error) {
      out.textContent = describeError(error);
      out.className = 'error';
      button.disabled = false;
    }
  };
  const ack = h('button', { type: 'button', class: 'secondary' }, 'Acknowledge');
  const resolve = h('button', { type: 'button' }, 'Resolve');
  ack.addEventListener('click', () => act('ack', ack));
  resolve.addEventListener('click', () => act('resolve', resolve));
  box.append(
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'alert-note' }, 'Note (optional, kept with the change)'),
      note,
    ),
    h('div', { class: 'actions' }, a.status === 'acknowledged' ? null : ack, resolve),
    out,
  );
  return box;
}
