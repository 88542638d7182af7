import type { Context } from 'hono';

const escape = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${String(ch.charCodeAt(0))};`);

/** The emulator's stand-in for Duo's prompt: one button; the simulated user's behaviour answers the push. */
export function promptPage(sid: string, username: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Duo Security (emulator)</title></head>
<body>
<main>
<h1>Confirm it is you</h1>
<p>Signing in as <strong>${escape(username)}</strong>.</p>
<form method="post" action="/frame/v4/prompt">
<input type="hidden" name="sid" value="${escape(sid)}">
<button type="submit" name="factor" value="push">Send Me a Push</button>
</form>
</main>
</body></html>`;
}

export function resultPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Duo Security (emulator)</title></head><body><main><p>${escape(message)}</p></main></body></html>`;
}

/** A refused authorize request: Duo shows an error instead of redirecting to an unverified redirect_uri. */
export function oidcError(c: Context, error: string, description: string): Response {
  return c.json({ error, error_description: description }, 400);
}
