/**
 * A failed run's error in plain words for the dashboard and `--json` output. Keyed by the client's error
 * kinds (docs/duo-client.md); the advice follows the compliance specification's troubleshooting section.
 */
const EXPLANATIONS: Record<string, string> = {
  auth_failed:
    'Duo rejected the credentials. Check the integration key and secret key (reset and recopy the secret key in the Duo Admin Panel if unsure); runs are skipped for 24 hours, or until a successful test after rotating the key.',
  permission_denied:
    'The Admin API application lacks a permission. Grant read information, read log, read resource and administrators read on the application page in the Duo Admin Panel.',
  clock_skew:
    "This host's clock differs from Duo's: signed requests are rejected. Synchronise the clock with NTP.",
  rate_limited:
    'Duo answered 429 Too Many Requests. Another consumer may share this application; the next scheduled run retries.',
  invalid_request:
    'Duo refused the request as invalid. Check the API hostname is exactly api-XXXXXXXX.duosecurity.com.',
  not_found: 'Duo did not find the resource: check the API hostname and the integration.',
  server_error: 'Duo answered with a server error; the next scheduled run retries.',
  network: 'Duo could not be reached (DNS, connection or TLS failure); check network access and any proxy.',
  timeout: 'Duo did not answer in time; the next scheduled run retries.',
  bad_response: 'Duo answered with something that is not its API (HTML or malformed JSON): check proxies.',
  interrupted: 'duowatch was shut down while the run was in progress; the next schedule runs it again.',
};

export function explainRun(status: string, errorKind: string | null): string | null {
  if (status === 'interrupted') return EXPLANATIONS['interrupted'] ?? null;
  if (errorKind === null) return null;
  return EXPLANATIONS[errorKind] ?? `The run failed (${errorKind}).`;
}
