import { api, describeError } from './api.js';
import { badge, h, table, when } from './dom.js';

// The Logs page: per organization, every collected Duo log stream (newest delivered, lag, backlog, rate,
// last error, the fix for a missing grant) and every sink's health (queue, last acknowledgement). Admins can
// ask for a collection now. Every string is a text node (dom.js).

const RANK = { viewer: 1, auditor: 2, admin: 3, owner: 4 };
const STATUS = { ok: 'ok', backoff: 'warning', paused: 'warning', needs_grant: 'fail' };

function lag(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 120) return seconds + ' s';
  if (seconds < 7200) return Math.round(seconds / 60) + ' min';
  return Math.round(seconds / 3600) + ' h';
}

function streamRows(streams) {
  return streams.map((s) => [
    s.stream + (s.account ? ' (account ' + s.account + ')' : ''),
    h('span', {}, badge(STATUS[s.status] || s.status), ' ', s.status.replace(/_/g, ' ')),
    when(s.newest_delivered),
    lag(s.lag_seconds),
    s.backlog_estimate === null ? '—' : String(s.backlog_estimate),
    String(s.events_per_second),
    String(s.events_total),
    s.needs_grant
      ? 'Needs "Grant read log" on the Admin API application. ' + (s.last_error || '')
      : s.last_error || '—',
  ]);
}

function sinkRows(sinks) {
  return sinks.map((k) => [
    k.name,
    k.type,
    k.guarantee.replace(/_/g, ' '),
    h(
      'span',
      {},
      badge(k.queue_full ? 'fail' : k.queue_events > 0 ? 'warning' : 'ok'),
      ' ',
      k.queue_full ? 'queue full: collection paused' : String(k.queue_events) + ' queued',
    ),
    when(k.last_ack),
    String(k.stats.failures ?? 0),
  ]);
}

async function orgSection(org, isAdmin) {
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'logs-' + org.slug },
    h('h2', { id: 'logs-' + org.slug }, org.name),
  );
  let data;
  try {
    data = await api('GET', '/api/v1/orgs/' + encodeURIComponent(org.slug) + '/logs');
  } catch (error) {
    section.append(h('p', { class: 'error', role: 'alert' }, describeError(error)));
    return section;
  }
  if (!data.collected)
    section.append(h('p', { class: 'muted' }, 'Not collected: no logs route names this organization.'));
  if (data.streams.length)
    section.append(
      table(
        'Log streams of ' + org.name,
        [
          'Stream',
          'Status',
          'Newest delivered',
          'Lag',
          'Backlog (est.)',
          'Events/s',
          'Delivered',
          'Last error',
        ],
        streamRows(data.streams),
      ),
    );
  else if (data.collected) section.append(h('p', {}, 'No stream has been polled yet.'));
  if (data.collected && data.sinks.length)
    section.append(
      table(
        'Sinks',
        ['Sink', 'Type', 'Delivery', 'Queue', 'Last acknowledgement', 'Failures'],
        sinkRows(data.sinks),
      ),
    );
  if (data.collected && (isAdmin || (RANK[org.role] || 0) >= RANK.admin)) {
    const result = h('p', { role: 'status' });
    section.append(
      h(
        'p',
        {},
        h(
          'button',
          {
            type: 'button',
            onclick: async () => {
              result.textContent = 'Queuing…';
              try {
                const r = await api('POST', '/api/v1/orgs/' + encodeURIComponent(org.slug) + '/logs/collect');
                result.textContent =
                  'Collection queued (' + r.queued + ' poll(s)). Reload to see the result.';
              } catch (error) {
                result.textContent = describeError(error);
              }
            },
          },
          'Collect now',
        ),
      ),
      result,
    );
  }
  return section;
}

export async function renderLogs(view, user) {
  view.append(h('h1', {}, 'Logs'));
  const { organizations } = await api('GET', '/api/v1/orgs');
  if (!organizations.length) {
    view.append(h('p', {}, 'You have no organization yet.'));
    return;
  }
  for (const org of organizations) view.append(await orgSection(org, user.isAdmin));
}
