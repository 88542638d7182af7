import { api, describeError } from './api.js';
import { badge, clear, h, when } from './dom.js';

function healthText(health) {
  if (health.state === 'auth_failed') {
    return (
      'Duo refused the credentials; duowatch skips them until ' +
      when(health.until) +
      ', then retries. Rotate the secret key to retry sooner.'
    );
  }
  if (health.state === 'rate_limited')
    return 'Duo asked us to slow down (HTTP 429); the next scheduled run retries.';
  if (health.state === 'clock_skew') return "This machine's clock differs from Duo's; fix NTP on the host.";
  return health.lastSuccessAt ? 'Last successful run ' + when(health.lastSuccessAt) + '.' : 'Healthy.';
}

/** The Test before Save report: clock skew, then each check with Duo's code and how to fix it. */
export function reportView(report) {
  const box = h('div', { class: 'report', tabindex: '-1' });
  box.append(
    h(
      'h3',
      {},
      report.ok ? 'Connection test passed' : 'Connection test failed',
      ' ',
      badge(report.ok ? 'pass' : 'fail'),
    ),
    h(
      'p',
      {},
      report.clockSkewMs === null
        ? 'Duo server time: unknown.'
        : 'Clock skew: ' +
            (report.clockSkewMs / 1000).toFixed(1) +
            ' s (Duo time ' +
            when(report.serverTime) +
            ').',
      report.latencyMs === null ? '' : ' Round trip ' + report.latencyMs + ' ms.',
    ),
    h(
      'ul',
      { class: 'checks' },
      report.checks.map((c) =>
        h(
          'li',
          {},
          badge(c.status),
          ' ',
          h('strong', {}, c.label),
          ': ',
          c.message,
          c.code ? ' (Duo code ' + c.code + ')' : '',
          c.fix ? h('p', { class: 'fix' }, 'How to fix: ' + c.fix) : null,
        ),
      ),
    ),
  );
  return box;
}

export async function renderIntegrations(section, org, can) {
  const path = '/api/v1/orgs/' + encodeURIComponent(org.slug) + '/integrations';
  const { integrations } = await api('GET', path);
  section.append(h('h2', {}, 'Duo integrations'));
  if (can('admin') && integrations.length) {
    const note = h('span', { class: 'muted', role: 'status' });
    const sync = h('button', { type: 'button' }, 'Sync now');
    sync.addEventListener('click', async () => {
      sync.disabled = true;
      try {
        const r = await api('POST', path.replace(/\/integrations$/, '/sync'));
        note.textContent = r.queued
          ? 'Identity sync queued; new evidence appears on the Controls tab.'
          : 'A sync is already queued.';
      } catch (error) {
        note.textContent = describeError(error);
      } finally {
        sync.disabled = false;
      }
    });
    section.append(h('div', { class: 'actions' }, sync, note));
  }
  if (!integrations.length) section.append(h('p', {}, 'None yet.'));
  const out = h('div', { class: 'out', 'aria-live': 'polite' });
  for (const i of integrations) {
    const card = h(
      'article',
      { class: 'card integration', 'aria-label': i.label + ' ' + i.apiHost },
      h('h3', {}, i.label, ' ', badge(i.health.state)),
      h('p', {}, i.kind + ' API · ' + i.apiHost + ' · integration key ' + i.ikeyHint),
      h('p', {}, healthText(i.health)),
      i.health.lastErrorMessage
        ? h('p', { class: 'muted' }, 'Last error: ' + i.health.lastErrorMessage)
        : null,
    );
    if (can('admin')) {
      const test = h('button', { type: 'button', class: 'secondary' }, 'Test');
      test.addEventListener('click', async () => {
        clear(out).append(h('p', {}, 'Testing…'));
        try {
          clear(out).append(reportView(await api('POST', path + '/' + encodeURIComponent(i.id) + '/test')));
        } catch (error) {
          clear(out).append(h('p', { class: 'error' }, describeError(error)));
        }
      });
      const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
      remove.addEventListener('click', async () => {
        if (!window.confirm('Remove ' + i.apiHost + '? Its evidence history stays.')) return;
        try {
          await api('DELETE', path + '/' + encodeURIComponent(i.id));
          window.dispatchEvent(new Event('hashchange'));
        } catch (error) {
          clear(out).append(h('p', { class: 'error' }, describeError(error)));
        }
      });
      card.append(h('div', { class: 'actions' }, test, remove), rotateForm(path, i, out));
    }
    section.append(card);
  }
  section.append(out);
  if (can('admin')) section.append(addForm(path));
}

function rotateForm(path, integration, out) {
  const id = 'rot-' + integration.id;
  const form = h(
    'form',
    { class: 'rotate', 'aria-label': 'Rotate the secret key' },
    h('label', { for: id }, 'New secret key'),
    h('input', {
      id,
      name: 'skey',
      type: 'password',
      autocomplete: 'off',
      spellcheck: 'false',
      minlength: 40,
      maxlength: 40,
      required: true,
    }),
    h('button', { type: 'submit', class: 'secondary' }, 'Test and rotate'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const skey = form.elements.skey.value.trim();
    form.elements.skey.value = '';
    try {
      const r = await api('POST', path + '/' + encodeURIComponent(integration.id) + '/rotate', { skey });
      clear(out).append(
        h('p', {}, r.saved ? 'Secret key rotated.' : 'Not rotated: the test failed.'),
        reportView(r.report),
      );
    } catch (error) {
      clear(out).append(h('p', { class: 'error' }, describeError(error)));
    }
  });
  return form;
}

function field(id, label, attrs, hint) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', {
      id,
      name: id.replace('int-', ''),
      ...attrs,
      'aria-describedby': hint ? id + '-hint' : false,
    }),
    hint ? h('p', { class: 'hint', id: id + '-hint' }, hint) : null,
  );
}

function addForm(path) {
  const result = h('div', { class: 'out', 'aria-live': 'polite' });
  const force = h('input', { id: 'int-force', type: 'checkbox', name: 'force' });
  const form = h(
    'form',
    { id: 'add-integration', class: 'card', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Connect a Duo Admin API application'),
    h(
      'p',
      {},
      'In the Duo Admin Panel: Applications → Protect an Application → Admin API. Grant read information, read log, read resource, settings and administrators (read). Then paste its three values.',
    ),
    field('int-apiHost', 'API hostname', {
      required: true,
      placeholder: 'api-XXXXXXXX.duosecurity.com',
      autocomplete: 'off',
      spellcheck: 'false',
    }),
    field(
      'int-ikey',
      'Integration key',
      { required: true, autocomplete: 'off', spellcheck: 'false', maxlength: 20 },
      'Starts with DI; 20 characters.',
    ),
    field(
      'int-skey',
      'Secret key',
      { required: true, type: 'password', autocomplete: 'off', spellcheck: 'false', maxlength: 40 },
      'Stored encrypted; never shown again.',
    ),
    field('int-label', 'Label (optional)', { autocomplete: 'off' }),
    h(
      'div',
      { class: 'field check' },
      force,
      h('label', { for: 'int-force' }, 'Save even if the test fails'),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', id: 'int-test', class: 'secondary' }, 'Test connection'),
      h('button', { type: 'submit', id: 'int-save' }, 'Test and save'),
    ),
    result,
  );
  const values = () => {
    const v = {
      kind: 'admin',
      apiHost: form.elements.apiHost.value.trim(),
      ikey: form.elements.ikey.value.trim(),
      skey: form.elements.skey.value.trim(),
    };
    if (form.elements.label.value.trim()) v.label = form.elements.label.value.trim();
    return v;
  };
  const show = (...nodes) => {
    clear(result).append(...nodes);
    result.querySelector('.report')?.focus();
  };
  form.elements['int-test'].addEventListener('click', async () => {
    show(h('p', {}, 'Testing…'));
    try {
      show(reportView(await api('POST', path + '/test', values())));
    } catch (error) {
      show(h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    show(h('p', {}, 'Testing, then saving…'));
    try {
      const r = await api('POST', path, { ...values(), force: force.checked });
      if (r.saved) {
        // The secret leaves the page as soon as it is saved.
        form.reset();
        const controls = location.hash.replace(/\/integrations$/, '/controls');
        // A first identity sync right away, so evidence appears within seconds (Sync now's own route).
        let queued = true;
        try {
          await api('POST', path.replace(/\/integrations$/, '/sync'));
        } catch {
          queued = false;
        }
        show(
          h(
            'p',
            { class: 'ok' },
            queued
              ? 'Saved. A first sync is queued: '
              : 'Saved. Press Sync now on the Controls tab to collect evidence: ',
            h('a', { href: controls }, 'see the evidence'),
            '.',
          ),
          reportView(r.report),
        );
      } else {
        show(
          h(
            'p',
            { class: 'error', role: 'alert' },
            'Not saved: fix the failing checks below, or tick "Save even if the test fails".',
          ),
          reportView(r.report),
        );
      }
    } catch (error) {
      show(h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
  });
  return form;
}
