import { isIP } from 'node:net';
import { DuoConfigError } from '../errors/index.js';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks an API hostname before any request (docs/duo-client.md; the compliance specification's 40002 pitfalls: `https://`,
 * a trailing slash, or the admin-portal host pasted instead of `api-XXXXXXXX.duosecurity.com`).
 * Returns the lower-cased hostname or throws DuoConfigError naming the problem.
 */
export function validateApiHostname(input: string): string {
  const shown = JSON.stringify(input.slice(0, 100));
  const fail = (why: string): never => {
    throw new DuoConfigError('duo_invalid_host', `Duo API hostname ${shown} ${why}`);
  };
  if (input.length === 0) fail('is empty; expected api-XXXXXXXX.duosecurity.com');
  if (/\s/.test(input))
    fail('contains whitespace; paste only the hostname, e.g. api-XXXXXXXX.duosecurity.com');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input))
    fail('includes a scheme; drop the "https://" and paste only the hostname (HTTPS is always used)');
  if (input.endsWith('/')) fail('has a trailing slash; paste only the hostname');
  if (input.includes('/')) fail('includes a path; paste only the hostname');
  if (input.includes('@')) fail('includes user information; paste only the hostname');
  if (/:\d*$/.test(input) || input.includes(':')) {
    if (isIP(input.replace(/^\[|\]$/g, '')) !== 0) fail('is an IP address; Duo API hosts are names');
    fail('includes a port; Duo API hosts are always reached on 443');
  }
  if (isIP(input) !== 0) fail('is an IP address; Duo API hosts are names');
  const host = input.toLowerCase().replace(/\.$/, '');
  if (!host.endsWith('.duosecurity.com'))
    fail('is not a Duo API host; it must end in .duosecurity.com (e.g. api-XXXXXXXX.duosecurity.com)');
  const labels = host.split('.');
  if (!labels.every((l) => LABEL.test(l))) fail('is not a valid DNS name');
  const first = labels[0] ?? '';
  if (first.startsWith('admin-') || first === 'admin')
    fail(
      'is the Admin Panel (web portal) host; use the API hostname from the application page, api-XXXXXXXX.duosecurity.com',
    );
  return host;
}
