import { api, describeError } from './api.js';
import { h } from './dom.js';

// Trusted endpoints: per Device API integration, its caches and last sync, and a form that plans or syncs
// from an export chosen here (read in the browser, sent as text). While the sync call waits for the run to
// end, the page polls the integration's progress route and shows a progress bar. Every string is a text
// node (dom.js).

const PHASES = {
  starting: () => 'Starting: reading the export and planning…',
  reading: (p) => 'Reading the active cache back: ' + num(p.done) + ' of ' + num(p.total) + ' devices',
  uploading: (p) => 'Uploading: ' + num(p.done) + ' of ' + num(p.total) + ' identifiers',
  verifying: () => "Checking Duo's device count of the new cache…",
  activating: () => 'Activating the new cache…',
  cleaning: () => 'Deleting the pending cache…',
};
const POLL_MS = 400;
const MAX_POLLS = 4500; // 30 minutes, the scheduled sync's own ceiling: the loop always ends.

const num = (n) => Number(n).toLocaleString('en');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A progress bar and its words; `show(progress)` updates both (an unknown total leaves it indeterminate). */
function progressView(first) {
  const bar = h('progress', { 'aria-label': 'Sync progress' });
  const words = h('p', { class: 'progress-words' }, first);
  return {
    node: h('div', { class: 'progress', role: 'status' }, words, bar),
    show(p) {
      words.textContent = (PHASES[p.phase] || (() => p.phase))(p);
      if (p.total > 0) {
        bar.max = p.total;
        bar.value = Math.min(p.done, p.total);
      } else bar.removeAttribute('value');
    },
  };
}

function planLine(plan) {
  return (
    'active ' +
    plan.active +
    ', +' +
    plan.added +
    ' added, −' +
    plan.removed +
    ' removed, ' +
    plan.unchanged +
    ' unchanged' +
    (plan.exact ? '' : ' (estimated from counts)')
  );
}

function resultView(r) {
  const outcome = {
    synced: 'Synced: the new cache is active',
    planned: 'Dry run: nothing activated',
    shrink_refused: 'Refused by the shrink guard',
    failed: 'Failed: the active cache was not changed',
  }[r.outcome];
  return h(
    'div',
    { class: r.outcome === 'synced' || r.outcome === 'planned' ? 'result' : 'result error', role: 'status' },
    h('p', {}, h('strong', {}, outcome)),
    h('p', {}, 'Plan: ' + planLine(r.plan)),
    h(
      'p',
      {},
      'Read ' +
        r.input.ids +
        ' identifier(s) from column ' +
        r.input.column +
        '; ' +
        r.input.duplicates +
        ' duplicate(s); uploaded ' +
        r.uploaded +
        '; Duo counts ' +
        (r.device_count ?? '—') +
        '.',
    ),
    r.error ? h('p', {}, r.error.message) : null,
    r.removedSample.length
      ? h(
          'p',
          { class: 'muted' },
          'Removed (first ' + r.removedSample.length + '): ' + r.removedSample.join(', '),
        )
      : null,
    r.input.rejected.length
      ? h(
          'ul',
          {},
          r.input.rejected.slice(0, 20).map((x) => h('li', {}, 'line ' + x.line + ': ' + x.reason)),
        )
      : null,
    r.notes.map((n) => h('p', { class: 'muted' }, n)),
  );
}

const TRIGGERS = { schedule: 'scheduled', api: 'REST API or dashboard', cli: 'command-line' };
const ENDED = {
  synced: 'it synced: the new cache is active',
  planned: 'it was a dry run',
  shrink_refused: 'the shrink guard refused it',
  failed: 'it failed; the active cache was not changed',
};

/**
 * A sync already running when the tab opens (a scheduled one, or one started from another page): its
 * progress bar, followed until it ends (bounded), then how it ended. Empty when nothing runs.
 */
async function runningElsewhere(base) {
  const box = h('div', { class: 'running-elsewhere' });
  let first;
  try {
    first = (await api('GET', base + '/progress')).progress;
  } catch {
    return box;
  }
  if (!first || !first.running) return box;
  const view = progressView('');
  view.show(first);
  box.append(
    h('p', {}, 'A ' + (TRIGGERS[first.trigger] || first.trigger) + ' sync is running now.'),
    view.node,
  );
  void (async () => {
    // Stops when the page moves on (the box was on the page and is gone), or at the ceiling.
    let shown = false;
    for (let i = 0; i < MAX_POLLS; i++) {
      await sleep(POLL_MS);
      shown = shown || box.isConnected;
      if (shown && !box.isConnected) return;
      let p;
      try {
        p = (await api('GET', base + '/progress')).progress;
      } catch {
        continue;
      }
      if (p && p.running) view.show(p);
      else {
        const how = p && p.outcome ? ENDED[p.outcome] || p.outcome : 'reload to see how it ended';
        box.replaceChildren(h('p', { role: 'status' }, 'That sync has ended: ' + how + '.'));
        return;
      }
    }
  })();
  return box;
}

async function integrationCard(org, integration, can) {
  const base =
    '/api/v1/orgs/' +
    encodeURIComponent(org.slug) +
    '/devices/integrations/' +
    encodeURIComponent(integration.id);
  const card = h('article', { class: 'card', 'aria-label': integration.label });
  card.append(h('h2', {}, integration.label, ' ', h('span', { class: 'muted' }, integration.id)));
  try {
    const s = await api('GET', base + '/status');
    card.append(
      h(
        'p',
        {},
        s.active
          ? 'Active cache ' + s.active.cache_key + ': ' + s.active.device_count + ' devices'
          : 'No active cache',
      ),
      h('p', {}, 'Last successful sync: ' + (s.lastSuccessAt || 'never') + (s.stale ? ' — stale' : '')),
      s.pending.map((p) =>
        h(
          'p',
          { class: 'error' },
          'Pending cache ' +
            p.cache_key +
            ' (' +
            p.device_count +
            ' devices, ' +
            (p.createdByDuowatch ? 'left by duowatch' : 'not created by duowatch') +
            ')',
        ),
      ),
    );
  } catch (error) {
    card.append(h('p', { class: 'error', role: 'alert' }, describeError(error)));
  }
  card.append(await runningElsewhere(base));
  if (!can('admin')) return card;
  const file = h('input', {
    type: 'file',
    accept: '.csv,.json,text/csv,application/json',
    'aria-label': 'Fleet export',
  });
  const format = h(
    'select',
    { 'aria-label': 'Format' },
    ['auto', 'csv', 'json', 'intune', 'jamf'].map((f) => h('option', { value: f }, f)),
  );
  const force = h('input', { type: 'checkbox', id: 'force-' + integration.id });
  const skip = h('input', { type: 'checkbox', id: 'skip-' + integration.id });
  const out = h('div', { 'aria-live': 'polite' });
  const run = async (dryRun) => {
    const chosen = file.files && file.files[0];
    if (!chosen) return out.replaceChildren(h('p', { class: 'error' }, 'Choose an export file first.'));
    const view = progressView(dryRun ? 'Planning…' : 'Starting…');
    out.replaceChildren(view.node);
    let finished = false;
    const watch = async () => {
      for (let i = 0; i < MAX_POLLS && !finished; i++) {
        await sleep(POLL_MS);
        if (finished) return;
        try {
          const { progress } = await api('GET', base + '/progress');
          // Only a running sync: an earlier run's finished entry is not this one.
          if (!finished && progress && progress.running) view.show(progress);
        } catch {
          // The bar is a courtesy; the sync call's own answer says how it ended.
        }
      }
    };
    void watch();
    try {
      const r = await api('POST', base + '/sync', {
        content: await chosen.text(),
        filename: chosen.name,
        format: format.value,
        dryRun,
        force: force.checked,
        skipInvalid: skip.checked,
      });
      finished = true;
      out.replaceChildren(resultView(r));
    } catch (error) {
      finished = true;
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
  };
  card.append(
    h(
      'div',
      { class: 'actions' },
      file,
      format,
      h('label', { for: force.id }, force, ' Force past the shrink guard'),
      h('label', { for: skip.id }, skip, ' Skip invalid lines'),
      h('button', { type: 'button', class: 'secondary', onclick: () => run(true) }, 'Plan'),
      h('button', { type: 'button', onclick: () => run(false) }, 'Sync'),
    ),
    out,
  );
  return card;
}

export async function renderDevices(section, org, can) {
  const path = '/api/v1/orgs/' + encodeURIComponent(org.slug);
  const { integrations } = await api('GET', path + '/integrations');
  const devices = integrations.filter((i) => i.kind === 'device');
  section.append(h('h2', {}, 'Trusted endpoints'));
  if (!devices.length) {
    section.append(
      h('p', {}, 'No Device API integration yet: add one under Integrations (kind "device", with its mkey).'),
    );
    return;
  }
  for (const i of devices) section.append(await integrationCard(org, i, can));
  const { runs } = await api('GET', path + '/devices/runs');
  section.append(
    h('h2', {}, 'Recent syncs'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Started', 'Integration', 'Trigger', 'Outcome', 'Plan', 'Uploaded', 'Duo count'].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        runs.map((r) =>
          h(
            'tr',
            {},
            h('td', {}, r.startedAt),
            h('td', {}, r.integrationId),
            h('td', {}, r.trigger + (r.dryRun ? ' (dry run)' : '')),
            h('td', {}, r.outcome + (r.errorCode ? ' — ' + r.errorCode : '')),
            h('td', {}, planLine(r.plan)),
            h('td', {}, String(r.uploaded)),
            h('td', {}, r.deviceCount === null ? '—' : String(r.deviceCount)),
          ),
        ),
      ),
    ),
  );
}
