/**
 * What to do about each answer the Auth API gives, in words an operator can act on (docs/verify.md
 * "Errors and what to do"). Duo's own `status_msg` is shown too, stripped of control characters.
 */
import { stripControl } from '../shared/index.js';

/** Advice for a Duo error code (duo-wire codes as docs/verify.md lists them), with the detail Duo gave. */
export function adviceForDuoCode(code: number | undefined, detail: string | undefined): string {
  const d = (detail ?? '').toLowerCase();
  if (code === 40002 && d.includes('username'))
    return 'Duo does not know this user: check the username (or alias), or enroll the user first.';
  if (code === 40002 && d.includes('no capable device'))
    return 'The user has no device for this factor: pick another factor (preauth lists what each device can do).';
  if (code === 40002 && d.includes('txid'))
    return 'Duo does not know this transaction id: it may have expired; start a new authentication.';
  if (code === 40001) return 'A required parameter is missing (user, factor, passcode or txid).';
  if (code === 40101 || code === 40102 || code === 40103 || code === 40104 || code === 40105)
    return 'Duo refused the integration keys or the signature: check the Auth API integration key, secret and host, and the clock.';
  if (code === 40301)
    return 'These keys are not an Auth API integration: add the Auth API application from the Duo Admin Panel.';
  if (code === 42901) return 'Duo is rate-limiting this integration: wait a minute and retry.';
  if (code !== undefined && code >= 50000)
    return 'Duo had a server error: retry later; check status.duo.com.';
  return 'See the Duo message above.';
}

/** Advice for an answer Duo gave (not an error): denied, fraud, locked out, not enrolled, timed out. */
export function adviceForResult(r: { result?: string; status?: string; status_msg?: string }): string | null {
  const msg = (r.status_msg ?? '').toLowerCase();
  if (r.status === 'fraud')
    return 'The user reported this request as fraud: treat the account as compromised until you have spoken to them.';
  if (r.status === 'timeout')
    return 'The user did not answer within about a minute: retry or use another factor.';
  if (r.result === 'enroll' || r.status === 'enroll')
    return 'The user is not enrolled in Duo: send them the enrollment link (preauth gives one) or enroll them.';
  if (msg.includes('locked out'))
    return 'The user is locked out in Duo: an administrator must unlock the account in the Duo Admin Panel.';
  if (msg.includes('disabled')) return 'The user is disabled in Duo.';
  if (r.status === 'deny' || r.result === 'deny')
    return r.status === 'sent' ? null : 'The user (or a Duo policy) denied the request.';
  return null;
}

/** Duo's text, safe to print or store: no ANSI escapes or control characters, bounded length. */
export function cleanStatusMsg(text: string | null | undefined): string {
  const clean = stripControl(text ?? '');
  return clean.length > 500 ? `${clean.slice(0, 500)}…` : clean;
}
