// A small fetch wrapper: JSON in and out, the CSRF token on every state-changing call, and errors as
// {status, code, message} so views can say what went wrong in plain words.
let csrfToken = null;

export function setCsrf(token) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(
      res.status,
      err.code || 'http_' + res.status,
      err.message || res.statusText,
      err.details,
    );
  }
  return data;
}

/** Explains an API error for a person, with every validation problem listed. */
export function describeError(error) {
  if (!(error instanceof ApiError)) return 'The server could not be reached. Check that duowatch is running.';
  if (error.details.length)
    return error.message + ' ' + error.details.map((d) => d.path + ': ' + d.message).join('; ');
  return error.message;
}
