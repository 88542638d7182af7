import { api, describeError } from './api.js';
import { badge, clear, h, table, when } from './dom.js';
import { isDemo } from './alerts.js';

// Health of one organization: state per integration, latency charts (by phase over recent probes, and per
// minute over 24 h; uPlot), uptime strips, recent transitions, per-factor health, maintenance windows, and
// the fail-mode policy with its recent fail-open decisions; on the emulated demo tenant, buttons that take
// it down or slow it. Refreshes itself while it is on screen.

const REFRESH_MS = 15_000;
const PHASES = [
  ['dns', '#4a5058'],
  ['connect', '#8a5a00'],
  ['tls', '#1d5f3a'],
  ['ttfb', '#1d4f91'],
  ['total', '#a11d1d'],
];
const SVG = 'http://www.w3.org/2000/svg';
const DEMO_FAULTS = [
  ['down', 'Take it down (503 on every request)'],
  ['slow', 'Slow it (2.5 s per request)'],
  ['hang', 'Make it hang'],
  ['telephony', 'Break telephony (calls and SMS fail, push works)'],
  ['clear', 'Restore it'],
];

function ms(v) {
  return v === null || v === undefined ? '—' : v.toFixed(1) + ' ms';
}

function pct(v) {
  return v === null || v === undefined ? '—' : v.toFixed(3).replace(/\.?0+$/, '') + ' %';
}

export async function renderHealth(section, org, can) {
  const path = '/api/v1/orgs/' + encodeURIComponent(org.slug);
  // Not a live region: a refresh every 15 s would interrupt a screen reader each time. Errors are alerts.
  const updated = h('span', { class: 'muted' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const faults = h('div', { class: 'demo-faults' });
  // Outside the refreshed body, so a refresh does not wipe a half-filled form.
  const schedule = h('div', { class: 'maintenance-form' });
  const refresh = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
  const auto = h('input', { type: 'checkbox', id: 'health-auto', checked: true });
  const body = h('div', { class: 'health' });
  section.append(
    h('h2', {}, 'Health'),
    isDemo(org)
      ? h(
          'p',
          { class: 'note demo', role: 'note' },
          h('strong', {}, 'Demo tenant: '),
          'an EMULATED Duo tenant, probed like a real one. ',
          can('admin')
            ? 'The buttons below use the emulator’s fault control to take it down, slow it or break its telephony, so you can watch the states change.'
            : 'An admin can take it down, slow it or break its telephony from here, to watch the states change.',
        )
      : null,
    faults,
    h(
      'div',
      { class: 'actions' },
      refresh,
      h(
        'div',
        { class: 'field check' },
        auto,
        h('label', { for: 'health-auto' }, 'Refresh every ' + REFRESH_MS / 1000 + ' s'),
      ),
      updated,
    ),
    problem,
    body,
    schedule,
  );
  const load = async () => {
    refresh.disabled = true;
    try {
      const view = await api('GET', path + '/health');
      clear(body);
      problem.textContent = '';
      if (view.demo_faults && can('admin')) demoControls(clear(faults), path, view.demo_faults, load);
      await fill(body, path, view, can, load);
      if (can('admin') && !schedule.firstChild) scheduleForm(schedule, path, view.integrations, load);
      updated.textContent = 'Updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
    } catch (error) {
      problem.textContent = describeError(error);
    } finally {
      refresh.disabled = false;
    }
  };
  refresh.addEventListener('click', () => void load());
  // One timer chain, ended as soon as this page is replaced (the section leaves the document).
  const tick = () => {
    if (!section.isConnected) return;
    const next = () => setTimeout(tick, REFRESH_MS);
    if (auto.checked) void load().finally(next);
    else next();
  };
  await load();
  setTimeout(tick, REFRESH_MS);
}

/** The demo tenant's fault buttons (admins only; the route refuses anyone else and every real tenant). */
function demoControls(box, path, active, reload) {
  // The box is drawn again after each change, so the outcome goes to the page's status line.
  const say = (text) => {
    const status = document.getElementById('status');
    if (status) status.textContent = text;
  };
  const out = h('p', { class: 'error' });
  box.append(
    h(
      'fieldset',
      {},
      h('legend', {}, 'Demo fault control'),
      h(
        'p',
        {},
        active.length
          ? 'Active now: ' + active.join(', ') + '. Probes notice it within one probe interval.'
          : 'No fault set: the demo tenant answers normally.',
      ),
      h(
        'div',
        { class: 'actions' },
        DEMO_FAULTS.map(([fault, label]) => {
          const button = h(
            'button',
            {
              type: 'button',
              class: fault === 'clear' ? '' : 'secondary',
              disabled: fault === 'clear' ? !active.length : active.includes(fault),
            },
            label,
          );
          button.addEventListener('click', async () => {
            button.disabled = true;
            try {
              const r = await api('POST', path + '/health/demo-fault', { fault });
              say(r.active.length ? 'Demo fault set: ' + r.active.join(', ') + '.' : 'Demo faults cleared.');
              await reload();
            } catch (error) {
              out.textContent = describeError(error);
              button.disabled = false;
            }
          });
          return button;
        }),
      ),
      out,
    ),
  );
}

async function fill(body, path, view, can, reload) {
  if (!view.integrations.length) {
    body.append(h('p', {}, 'No integration yet: add one under Integrations; it is probed once a minute.'));
  }
  const labels = new Map(view.integrations.map((i) => [i.integration, i.label]));
  const cards = h('div', { class: 'cards health-cards' });
  body.append(cards);
  for (const i of view.integrations) cards.append(integrationCard(path, i));

  body.append(
    h('h3', {}, 'Recent transitions'),
    view.transitions.length
      ? table(
          'State changes, newest first',
          ['When', 'Integration', 'From', 'To', 'Why'],
          view.transitions.map((t) => [
            when(t.at),
            labels.get(t.integration) || t.integration,
            badge(t.from),
            badge(t.to),
            t.reason,
          ]),
        )
      : h('p', {}, 'No state change yet.'),
  );
  body.append(
    factorSection(view.factors),
    maintenanceSection(path, view.maintenance, labels, can('admin'), reload),
    failModeSection(view),
  );
}

function integrationCard(path, i) {
  const id = 'hi-' + i.integration;
  const card = h('article', { class: 'card integration-health', id, 'aria-labelledby': id + '-t' });
  const p = i.last_probe;
  const lat = i.latency_ms['24h'];
  const facts = [
    ['state', i.state],
    ['since', when(i.since)],
    ['why', i.reason],
    ['kind', i.kind],
    ['API host', i.api_host],
    ['last probe', p ? when(p.at) + (p.healthy ? ' (healthy)' : ' (failed)') : '—'],
    ['signed check', p ? p.check : '—'],
    ['clock skew', p && p.clock_skew_s !== null ? p.clock_skew_s + ' s' : '—'],
    ['uptime 24 h / 7 d / 30 d', [i.uptime['24h'], i.uptime['7d'], i.uptime['30d']].map(pct).join(' / ')],
    ['latency 24 h p50 / p95 / p99', [lat.p50, lat.p95, lat.p99].map(ms).join(' / ')],
    [
      'SLO',
      i.slo.target +
        ' %' +
        (i.slo.met_30d === null ? '' : i.slo.met_30d ? ' — met (30 d)' : ' — missed (30 d)'),
    ],
  ];
  const dl = h('dl', { class: 'metrics' });
  for (const [k, v] of facts) dl.append(h('dt', {}, k), h('dd', {}, v));
  const phases = h('div', { class: 'chart phases' });
  const trend = h('div', { class: 'chart trend' });
  const hour = h('div', { class: 'bars' });
  const day = h('div', { class: 'bars' });
  const month = h('div', { class: 'bars' });
  card.append(
    h('h3', { id: id + '-t' }, i.label, ' ', h('span', { class: 'state' }, badge(i.state))),
    dl,
    h('h4', {}, 'Latency by phase (recent probes)'),
    phases,
    h('h4', {}, 'Latency, last 24 h (per minute: average and maximum)'),
    trend,
    h('h4', {}, 'Uptime, last hour (per minute)'),
    hour,
    h('h4', {}, 'Uptime, last 24 h (per 15 minutes)'),
    day,
    h('h4', {}, 'Uptime, last 30 days (per day)'),
    month,
  );
  const q = '?integration=' + encodeURIComponent(i.integration);
  // The charts load after the card is on screen, all at once.
  api('GET', path + '/health/probes' + q)
    .then(({ probes }) => phaseChart(phases, probes))
    .catch((error) => phases.append(h('p', {}, describeError(error))));
  api('GET', path + '/health/series' + q + '&resolution=minute&hours=24')
    .then(({ points }) => {
      latencyChart(trend, points);
      uptimeBars(hour, points, 60, 60_000, 'minute');
      uptimeBars(day, points, 96, 900_000, 'quarter hour');
    })
    .catch((error) => day.append(h('p', {}, describeError(error))));
  api('GET', path + '/health/series' + q + '&resolution=hour&hours=720')
    .then(({ points }) => uptimeBars(month, points, 30, 86_400_000, 'day'))
    .catch((error) => month.append(h('p', {}, describeError(error))));
  return card;
}

/** Phase timings of the signed check, one line per phase (uPlot); a text summary for screen readers. */
function phaseChart(box, probes) {
  if (!probes.length) {
    box.append(h('p', {}, 'No probe since this service started yet.'));
    return;
  }
  const last = probes[probes.length - 1];
  box.append(
    h(
      'p',
      { class: 'muted bars-legend' },
      probes.length +
        (probes.length === 1 ? ' probe' : ' probes') +
        ' since start. Last: ' +
        PHASES.map(([k]) => k + ' ' + ms(last.phases_ms[k])).join(', ') +
        (last.healthy ? '.' : ' (failed).'),
    ),
  );
  const UPlot = window.uPlot;
  if (!UPlot) return;
  const xs = probes.map((p) => Math.floor(Date.parse(p.at) / 1000));
  const data = [xs, ...PHASES.map(([k]) => probes.map((p) => p.phases_ms[k]))];
  const plot = new UPlot(
    {
      width: Math.max(260, Math.min(box.clientWidth || 480, 640)),
      height: 180,
      series: [{}, ...PHASES.map(([k, colour]) => ({ label: k + ' (ms)', stroke: colour, width: 2 }))],
      // At least the last ten minutes, so one early probe does not stretch the axis over years.
      scales: {
        x: {
          time: true,
          range: () => [
            Math.min(xs[0], Date.now() / 1000 - 600),
            Math.max(Date.now() / 1000, xs[xs.length - 1]),
          ],
        },
      },
      axes: [{}, { label: 'ms' }],
      legend: { show: true },
    },
    data,
    box,
  );
  // The line above says what the chart shows; uPlot's hover legend adds nothing for a screen reader.
  plot.root.setAttribute('aria-hidden', 'true');
}

/** The signed check's latency per stored minute bucket (these survive a restart, unlike single probes). */
function latencyChart(box, points) {
  const timed = points.filter((p) => p.avg_ms !== null);
  if (!timed.length) {
    box.append(h('p', {}, 'No successful probe in the last 24 h.'));
    return;
  }
  const worst = Math.max(...timed.map((p) => p.max_ms));
  box.append(
    h(
      'p',
      { class: 'muted bars-legend' },
      timed.length +
        (timed.length === 1 ? ' minute' : ' minutes') +
        ' with successful probes; the slowest took ' +
        ms(worst) +
        '.',
    ),
  );
  const UPlot = window.uPlot;
  if (!UPlot) return;
  const plot = new UPlot(
    {
      width: Math.max(260, Math.min(box.clientWidth || 480, 640)),
      height: 160,
      series: [
        {},
        { label: 'average (ms)', stroke: '#1d4f91', width: 2 },
        { label: 'maximum (ms)', stroke: '#a11d1d', width: 1 },
      ],
      scales: { x: { time: true, range: () => [Date.now() / 1000 - 86_400, Date.now() / 1000] } },
      axes: [{}, { label: 'ms' }],
      legend: { show: true },
    },
    [timed.map((p) => Date.parse(p.start) / 1000), timed.map((p) => p.avg_ms), timed.map((p) => p.max_ms)],
    box,
  );
  // The line above says what the chart shows; uPlot's hover legend adds nothing for a screen reader.
  plot.root.setAttribute('aria-hidden', 'true');
}

/**
 * Uptime as a strip of bars, one per `groupMs` slot ending now, each the worst of the stored buckets inside
 * it (any down → down, else any degraded → degraded, else up; only maintenance → maintenance); slots without
 * probes stay empty. SVG rects coloured by class (the stylesheet sets the fills, so the CSP needs no inline
 * style), a tooltip per bar, and a text summary for screen readers.
 */
function uptimeBars(box, points, slots, groupMs, unit) {
  if (!points.length) {
    box.append(h('p', {}, 'No probes in this range yet.'));
    return;
  }
  const end = Math.floor(Date.now() / groupMs) * groupMs;
  const from = end - (slots - 1) * groupMs;
  const groups = new Map();
  for (const p of points) {
    const x = Math.floor((Date.parse(p.start) - from) / groupMs);
    if (x < 0 || x >= slots) continue;
    const g = groups.get(x) || { up: 0, down: 0, degraded: 0, maintenance: 0 };
    for (const k of ['up', 'down', 'degraded', 'maintenance']) g[k] += p[k];
    groups.set(x, g);
  }
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + slots + ' 10');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'uptime');
  svg.setAttribute('aria-hidden', 'true');
  const tally = { up: 0, down: 0, degraded: 0, maintenance: 0 };
  for (const [x, g] of groups) {
    const kind = g.down > 0 ? 'down' : g.degraded > 0 ? 'degraded' : g.up > 0 ? 'up' : 'maintenance';
    tally[kind] += 1;
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('x', String(x + 0.1));
    rect.setAttribute('y', '0');
    rect.setAttribute('width', '0.8');
    rect.setAttribute('height', '10');
    rect.setAttribute('class', 'bar-' + kind);
    const title = document.createElementNS(SVG, 'title');
    title.textContent =
      when(new Date(from + x * groupMs).toISOString()) +
      ': ' +
      kind +
      ' (probes up ' +
      (g.up + g.degraded) +
      ', down ' +
      g.down +
      (g.maintenance ? ', in maintenance ' + g.maintenance : '') +
      ')';
    rect.append(title);
    svg.append(rect);
  }
  box.append(
    svg,
    h(
      'p',
      { class: 'muted bars-legend' },
      Object.entries(tally)
        .filter(([k, n]) => n > 0 || k === 'up' || k === 'down')
        .map(([k, n]) => n + ' ' + unit + (n === 1 ? '' : 's') + ' ' + k)
        .join(', ') +
        ' (of ' +
        slots +
        ').',
    ),
  );
}

function factorSection(factors) {
  return h(
    'div',
    {},
    h('h3', {}, 'Per-factor health'),
    factors.length
      ? table(
          'Errors and timeouts per factor over the sliding window, against its own baseline',
          ['Factor', 'State', 'Attempts', 'Failed', 'Share', 'Baseline'],
          factors.map((f) => [
            f.factor.replace(/_/g, ' '),
            badge(f.degraded ? 'DEGRADED' : 'ok'),
            String(f.attempts),
            String(f.failures),
            f.share === null ? '—' : (f.share * 100).toFixed(1) + ' %',
            f.baseline_share === null ? 'none yet' : (f.baseline_share * 100).toFixed(1) + ' %',
          ]),
        )
      : h(
          'p',
          {},
          'No authentication events collected yet: per-factor health needs log collection for this organization.',
        ),
  );
}

function maintenanceSection(path, windows, labels, admin, reload) {
  const out = h('p', { class: 'error', role: 'alert' });
  const remove = (w) => {
    if (w.source !== 'api') return h('span', { class: 'muted' }, 'in the config');
    if (!admin) return h('span', { class: 'muted' }, 'scheduled');
    const button = h('button', { type: 'button', class: 'secondary' }, 'Delete');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api('DELETE', path + '/health/maintenance/' + encodeURIComponent(String(w.id)));
        await reload();
      } catch (error) {
        out.textContent = describeError(error);
        button.disabled = false;
      }
    });
    return button;
  };
  return h(
    'div',
    {},
    h('h3', {}, 'Maintenance windows'),
    windows.length
      ? table(
          'Maintenance windows (alerts silenced, excluded from uptime)',
          ['From', 'To', 'Integration', 'Reason', 'Now', 'Source'],
          windows.map((w) => [
            when(w.start),
            when(w.end),
            w.integration ? labels.get(w.integration) || w.integration : 'all',
            w.reason + (w.created_by ? ' (' + w.created_by + ')' : ''),
            w.active ? badge('MAINTENANCE') : '—',
            remove(w),
          ]),
        )
      : h('p', {}, 'None scheduled or configured.'),
    out,
  );
}

/** Admins schedule a window: start in the browser's local time, a length in hours, a reason. */
function scheduleForm(box, path, integrations, reload) {
  const out = h('p', { role: 'status' });
  const form = h(
    'form',
    { 'aria-label': 'Schedule maintenance' },
    h('h3', {}, 'Schedule maintenance'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'mw-integration' }, 'Integration'),
      h(
        'select',
        { id: 'mw-integration' },
        h('option', { value: '' }, 'All integrations'),
        integrations.map((i) => h('option', { value: i.integration }, i.label)),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'mw-start' }, 'Start (your local time)'),
      h('input', { id: 'mw-start', type: 'datetime-local', required: true }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'mw-hours' }, 'Length in hours'),
      h('input', {
        id: 'mw-hours',
        type: 'number',
        min: '0.25',
        max: '744',
        step: '0.25',
        value: '1',
        required: true,
      }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'mw-reason' }, 'Reason'),
      h('input', { id: 'mw-reason', maxlength: 200, value: 'maintenance', required: true }),
    ),
    h('button', { type: 'submit' }, 'Schedule'),
    out,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const start = new Date(form.querySelector('#mw-start').value);
    const hours = Number(form.querySelector('#mw-hours').value);
    if (Number.isNaN(start.getTime()) || !(hours > 0)) {
      out.textContent = 'Give a start and a length.';
      return;
    }
    const integration = form.querySelector('#mw-integration').value;
    try {
      await api('POST', path + '/health/maintenance', {
        ...(integration ? { integration } : {}),
        start: start.toISOString(),
        end: new Date(start.getTime() + hours * 3_600_000).toISOString(),
        reason: form.querySelector('#mw-reason').value.trim() || 'maintenance',
      });
      out.textContent = 'Scheduled.';
      await reload();
    } catch (error) {
      out.textContent = describeError(error);
    }
  });
  box.append(form);
}

function failModeSection(view) {
  return h(
    'div',
    {},
    h('h3', {}, 'Fail mode when Duo is down'),
    h(
      'p',
      {},
      'duowatch owners and admins always fail closed; an application without a policy fails closed. A fail-open login is password only: never MFA.',
    ),
    view.policy.length
      ? table(
          'Policy per application',
          ['Application', 'Mode', 'Roles let in', 'Owner'],
          view.policy.map((p) => [
            p.name,
            p.mode.replace(/_/g, ' '),
            p.roles.join(', ') || '—',
            p.owner || '—',
          ]),
        )
      : h('p', {}, 'No application has a policy: every application fails closed.'),
    h('h4', {}, 'Fail-open decisions, last 30 days'),
    view.fail_open.length
      ? table(
          'Logins let in without MFA (password only), newest first',
          ['When', 'Application', 'Role', 'User', 'Why'],
          view.fail_open.map((d) => [when(d.at), d.application, d.role, d.username, d.reason]),
        )
      : h('p', {}, 'None.'),
  );
}
