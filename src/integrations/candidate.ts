import { validateApiHostname } from '../duo/index.js';
import { isIntegrationKind, ServiceError } from '../shared/index.js';
import type { NewIntegration } from './types.js';

/** Duo integration keys: `DI` and 18 upper-case letters or digits (docs/duo-wire.md §5). */
const IKEY = /^DI[A-Z0-9]{18}$/;

/**
 * Checks a candidate before any request, reporting every problem at once (docs/conventions.md §8), and
 * returns it normalised (the hostname as the client checks it, the secret trimmed).
 */
export function checkCandidate(input: NewIntegration): NewIntegration {
  const problems: string[] = [];
  let apiHost = input.apiHost;
  try {
    apiHost = validateApiHostname(input.apiHost);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : 'invalid API hostname');
  }
  if (!isIntegrationKind(input.kind)) problems.push(`unknown kind ${String(input.kind)}`);
  if (!IKEY.test(input.ikey))
    problems.push('the integration key must look like DI followed by 18 letters or digits');
  if (input.skey.trim() === '') problems.push('the secret key is empty');
  if (input.kind === 'device' && (input.mkey ?? '') === '')
    problems.push('a Device API integration needs its mkey');
  if (problems.length > 0) throw new ServiceError('invalid_input', problems.join('; '));
  return { ...input, apiHost, skey: input.skey.trim() };
}
