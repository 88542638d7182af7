import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { ResolvedTls } from './sink-config.js';
import { SinkError } from './types.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/** The narrow HTTP slice the HTTP sinks use (docs/conventions.md §4): one POST, its status, headers and body. */
export interface HttpPoster {
  post(
    url: string,
    headers: Record<string, string>,
    body: Buffer | string,
    signal: AbortSignal,
  ): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/**
 * POST over undici with the sink's TLS settings (CA bundle, client certificate, name to verify; nothing
 * insecure unless asked) and a timeout. Network failures become `sink.unavailable`, certificate failures
 * `sink.config`; the caller reads statuses.
 */
export function createHttpPoster(sink: string, tls: ResolvedTls, timeoutMs: number): HttpPoster {
  const dispatcher: Dispatcher = new Agent({
    connect: {
      ...(tls.ca === null ? {} : { ca: tls.ca }),
      ...(tls.cert === null ? {} : { cert: tls.cert }),
      ...(tls.key === null ? {} : { key: tls.key }),
      ...(tls.passphrase === null ? {} : { passphrase: tls.passphrase }),
      ...(tls.servername === null ? {} : { servername: tls.servername }),
      rejectUnauthorized: !tls.insecureSkipVerify,
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 30_000),
  });
  return {
    async post(url, headers, body, signal): Promise<HttpAnswer> {
      const timeout = AbortSignal.timeout(timeoutMs);
      const both = AbortSignal.any([signal, timeout]);
      try {
        const res = await request(url, { method: 'POST', headers, body, dispatcher, signal: both });
        const text = await res.body.text();
        return { status: res.statusCode, headers: res.headers, text };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        const what = timeout.aborted ? `timed out after ${timeoutMs} ms` : code || (error as Error).message;
        const config = /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_(GET|VERIFY)|ERR_TLS/.test(code);
        // The URL only: credentials never travel in it (they go in headers), and messages never carry headers.
        throw new SinkError(
          config ? 'sink.config' : 'sink.unavailable',
          sink,
          `POST ${redactUrl(url)}: ${what}`,
          {
            cause: error,
          },
        );
      }
    },
    close: () => dispatcher.close(),
  };
}

/** A URL without user-info or query (a webhook URL may carry a token in its query string). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}
