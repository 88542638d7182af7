/** WorldError values, with only the codes and messages of docs/duo-wire.md §3. */
import type { WorldError } from './types.js';

const MESSAGES: Record<number, string> = {
  40001: 'Missing required request parameters',
  40002: 'Invalid request parameters',
  40301: 'Access forbidden',
  40401: 'Resource not found',
  50001: 'Unknown internal server error',
};

export function worldError(
  status: number,
  code: 40001 | 40002 | 40301 | 40401 | 50001,
  detail?: string,
): WorldError {
  const error: WorldError['error'] = {
    status,
    code,
    message: MESSAGES[code] ?? 'Invalid request parameters',
  };
  if (detail !== undefined) error.detail = detail;
  return { error };
}

export const missing = (param: string): WorldError => worldError(400, 40001, param);
export const invalid = (detail: string): WorldError => worldError(400, 40002, detail);
export const notFound = (detail?: string): WorldError => worldError(404, 40401, detail);

export function isWorldError(v: unknown): v is WorldError {
  return (
    typeof v === 'object' && v !== null && 'error' in v && typeof (v as WorldError).error?.code === 'number'
  );
}
