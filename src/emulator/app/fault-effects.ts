import type { Context } from 'hono';
import type { ActiveFault } from '../faults/index.js';
import { DuoApiError } from '../wire/duo-errors.js';
import { duoHeaders } from '../wire/respond.js';

/** Thrown to make the transport drop the connection (no HTTP answer at all). */
export class DroppedConnection extends Error {
  constructor() {
    super('emulator fault: connection dropped');
    this.name = 'DroppedConnection';
  }
}

const HTML_STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** An HTML error page such as a load balancer in front of Duo serves during an outage. */
export function htmlErrorPage(status: number): string {
  const text = HTML_STATUS_TEXT[status] ?? 'Error';
  return `<html>\r\n<head><title>${String(status)} ${text}</title></head>\r\n<body>\r\n<center><h1>${String(status)} ${text}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

interface NodeEnv {
  incoming?: { socket?: { destroy(): void } };
}

/** Faults that act before the request is verified: delays, hangs, drops and canned failures. */
export async function preHandlerFault(
  fired: readonly ActiveFault[],
  ctx: {
    c: Context;
    now: number;
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    signal: AbortSignal;
  },
): Promise<{ kind: string; response: Response } | null> {
  for (const f of fired) {
    switch (f.kind) {
      case 'latency':
        await ctx.sleep(f.latencyMs ?? 1000, ctx.signal);
        break;
      case 'hang':
        // Holds the request until the client gives up (its signal aborts) or the hang ends.
        await ctx.sleep(f.latencyMs ?? 600_000, ctx.signal).catch(() => undefined);
        (ctx.c.env as NodeEnv | undefined)?.incoming?.socket?.destroy();
        throw new DroppedConnection();
      case 'drop': {
        (ctx.c.env as NodeEnv | undefined)?.incoming?.socket?.destroy();
        throw new DroppedConnection();
      }
      case 'rate_limit':
        return { kind: f.kind, response: new DuoApiError(42901).toResponse({ dateMs: ctx.now }) };
      case 'error': {
        const status = f.status ?? 500;
        return {
          kind: f.kind,
          response: new DuoApiError(50001, undefined, status).toResponse({ dateMs: ctx.now }),
        };
      }
      case 'html_error': {
        const status = f.status ?? 502;
        const headers = duoHeaders('text/html', ctx.now);
        headers.delete('Server');
        headers.set('Server', 'awselb/2.0');
        return { kind: f.kind, response: new Response(htmlErrorPage(status), { status, headers }) };
      }
      default:
        break;
    }
  }
  return null;
}

/** Faults that corrupt an otherwise correct answer: malformed or truncated JSON. */
export async function applyBodyFault(fired: readonly ActiveFault[], res: Response): Promise<Response> {
  const fault = fired.find((f) => f.kind === 'malformed_json' || f.kind === 'truncated_json');
  if (fault === undefined) return res;
  const text = await res.text();
  const headers = new Headers(res.headers);
  headers.delete('Content-Length');
  const broken =
    fault.kind === 'truncated_json'
      ? text.slice(0, Math.max(1, Math.floor(text.length / 2)))
      : text.replace(/^\{/, '{,').replace(/": /, '" ');
  return new Response(broken, { status: res.status, headers });
}
