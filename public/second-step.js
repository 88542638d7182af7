import { api, ApiError, describeError } from './api.js';
import { clear, h } from './dom.js';

/** Set once this browser has seen a sign-in through the Duo step (app.js then asks for the session's factor). */
export const SECOND_STEP_SEEN = 'duowatch.secondStep';

// Duo's second sign-in step (docs/verify.md "Duo 2FA on the duowatch login"). After the password the server
// answers {state: "pending", next: "duo_2fa", secondStep}; this screen offers the factors Duo's preauth
// allows, waits on a push or call by long-polling GET /api/v1/session/2fa (the server holds each poll up to
// 25 s), and hands the final answer back to app.js. Every string is a text node (dom.js).

const FACTOR_BUTTONS = {
  push: 'Send a Duo Push',
  phone: 'Call me',
  sms: 'Text me passcodes',
};

// What each refusal means for the person at the keyboard, beyond the server's own sentence.
const EXPLAIN = {
  second_factor_fraud:
    'You reported the request as fraud, so duowatch refused the sign-in and alerted its administrators. If the request was yours after all, sign in again.',
  second_factor_not_enrolled:
    'Duo says your account is not enrolled. Ask your Duo administrator for an enrollment link, enroll a device, then sign in again.',
  second_factor_unavailable:
    'Try again later. If Duo stays down, an administrator can use the break-glass account.',
  second_factor_denied: 'Sign in again to retry.',
  second_factor_expired: '',
  second_factor_replayed: '',
  second_factor_refused: 'Check with your Duo administrator that your Duo account can sign in.',
};

/** The error text shown on the password form when the second step (or its start) refuses the sign-in. */
export function explainRefusal(error) {
  if (!(error instanceof ApiError) || !(error.code in EXPLAIN)) return describeError(error);
  const more = EXPLAIN[error.code];
  return more ? error.message + ' ' + more : error.message;
}

// The Universal Prompt's callback sends the browser back to "/?login_error=<code>" when it refuses.
const RETURNED = {
  second_factor_denied: 'Duo denied the sign-in.',
  second_factor_state: "Duo's answer did not belong to this sign-in.",
  second_factor_replayed: 'This sign-in was already finished.',
  second_factor_refused: "duowatch could not accept Duo's answer.",
  second_factor_unavailable: 'Duo cannot be reached; sign-in refused.',
  second_factor_expired: 'This sign-in has expired.',
  no_second_step: 'No sign-in was waiting for Duo in this browser.',
};

/** The error text for a refusal that came back from Duo's Universal Prompt as a code in the address. */
export function explainReturn(code) {
  const base = RETURNED[code] || 'The sign-in through Duo did not complete.';
  return base + ' ' + (EXPLAIN[code] || 'Sign in again.');
}

/** One line for the signed-in bar: the factor used, or that none was and why (said plainly). */
export function factorNote(f) {
  if (!f) return null;
  if (f.mfa)
    return f.factor === 'universal' ? 'Duo Universal Prompt' : 'Duo ' + (f.factor || 'second factor');
  return f.reason;
}

const MAX_POLLS = 40; // 40 × ≤ 25 s outlasts any challenge (5 minutes by default); the loop is bounded.

/**
 * Runs the step inside `panel` until it ends: `done(answer)` when signed in, `abandon(message)` when refused
 * or cancelled (message null on cancel). Returns nothing; the panel is cleared by the caller.
 */
export function runSecondStep(panel, first, done, abandon) {
  let over = false;
  let busy = false;
  const end = (fn, arg) => {
    if (over) return;
    over = true;
    clear(panel);
    panel.hidden = true;
    fn(arg);
  };

  async function send(promise) {
    if (busy || over) return;
    busy = true;
    for (const b of panel.querySelectorAll('button, input, select')) b.disabled = true;
    try {
      await handle(await promise());
    } catch (error) {
      end(abandon, explainRefusal(error));
    } finally {
      busy = false;
    }
  }

  async function handle(answer) {
    if (over) return;
    if (answer.state === 'authenticated') return end(done, answer);
    // Duo's Universal Prompt: the browser goes to Duo and comes back to /api/v1/session/duo/callback.
    if (answer.secondStep.state === 'redirect' && answer.secondStep.redirectUrl) {
      over = true;
      // The browser comes back by a redirect, not with this JSON answer: remember that this deployment runs
      // the Duo step, so the page asks how the new session was opened.
      window.localStorage.setItem(SECOND_STEP_SEEN, '1');
      location.assign(answer.secondStep.redirectUrl);
      return;
    }
    render(answer.secondStep);
    if (answer.secondStep.state === 'waiting') await waitForAnswer();
  }

  async function waitForAnswer() {
    for (let i = 0; i < MAX_POLLS && !over; i++) {
      const answer = await api('GET', '/api/v1/session/2fa');
      if (over) return;
      if (answer.state === 'authenticated' || answer.secondStep.state !== 'waiting') {
        busy = false;
        return handle(answer);
      }
      render(answer.secondStep);
    }
    if (!over) end(abandon, 'No answer came in time; sign in again.');
  }

  let shown = '';
  function render(step) {
    // A poll that brings nothing new leaves the screen (and the keyboard focus) alone.
    const key = JSON.stringify([step.state, step.message, step.factors]);
    if (key === shown && panel.firstChild) return;
    const first = shown === '';
    shown = key;
    clear(panel);
    panel.hidden = false;
    const message = h('p', { id: 'second-step-message', role: 'status' }, step.message);
    panel.append(h('h2', { id: 'second-step-title' }, 'Confirm it is you with Duo'), message);
    if (step.state === 'waiting') {
      panel.append(
        h('p', { class: 'waiting' }, 'Waiting for your answer on your device. This page updates by itself.'),
      );
    } else {
      panel.append(chooser(step));
    }
    panel.append(
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => end(abandon, null) },
        'Cancel and sign in again',
      ),
    );
    // Keyboard and screen-reader users land on the step when it opens, and on what to do next after it.
    const target = first ? panel.querySelector('h2') : panel.querySelector('button:not(.secondary), input');
    if (target) {
      if (target.tagName === 'H2') target.setAttribute('tabindex', '-1');
      target.focus();
    }
  }

  function chooser(step) {
    const box = h('div', {});
    const capable = step.devices.filter((d) => d.capabilities.length);
    let device = null;
    if (capable.length > 1) {
      device = h(
        'select',
        { id: 'second-step-device' },
        capable.map((d) => h('option', { value: d.device }, d.name + ' (' + d.capabilities.join(', ') + ')')),
      );
      box.append(h('label', { for: 'second-step-device' }, 'Device'), device);
    }
    // The chosen device when it can do this factor; otherwise Duo picks one that can ("auto").
    const chosen = (f) => {
      const d = device && capable.find((x) => x.device === device.value);
      return d && d.capabilities.includes(f) ? { device: d.device } : {};
    };
    const buttons = step.factors
      .filter((f) => f in FACTOR_BUTTONS)
      .map((f) =>
        h(
          'button',
          {
            type: 'button',
            onclick: () => send(() => api('POST', '/api/v1/session/2fa', { factor: f, ...chosen(f) })),
          },
          FACTOR_BUTTONS[f],
        ),
      );
    box.append(h('div', { class: 'actions' }, buttons));
    if (step.factors.includes('passcode')) {
      const input = h('input', {
        id: 'second-step-passcode',
        name: 'passcode',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
      });
      const form = h(
        'form',
        {
          novalidate: true,
          onsubmit: (event) => {
            event.preventDefault();
            const passcode = input.value.trim();
            void send(() => api('POST', '/api/v1/session/2fa', { factor: 'passcode', passcode }));
          },
        },
        h('label', { for: 'second-step-passcode' }, 'Passcode'),
        input,
        h(
          'p',
          { class: 'hint' },
          'From Duo Mobile, a hardware token, or a text message (use "Text me passcodes" first).',
        ),
        h('button', { type: 'submit' }, 'Verify passcode'),
      );
      box.append(form);
    }
    return box;
  }

  void handle(first).catch((error) => end(abandon, explainRefusal(error)));
}
