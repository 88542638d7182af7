import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { extname, join, normalize, sep } from 'node:path';
import type { Context, Hono } from 'hono';
import type { AppEnv } from './context.js';
import { ApiError } from './errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

interface Cached {
  body: Uint8Array;
  etag: string;
  type: string;
}

/**
 * The dashboard: files under `publicDir`, and uplot's built files from node_modules at /vendor/uplot/ (no
 * CDN, no build step). Files are cached in memory per app after the first read; paths are confined to their
 * folder and only known extensions are served.
 */
export function mountStatic(app: Hono<AppEnv>, opts: { publicDir: string; uplotDir: string }): void {
  const cache = new Map<string, Cached | null>();

  async function load(root: string, rel: string): Promise<Cached | null> {
    const full = normalize(join(root, rel));
    if (!full.startsWith(normalize(root) + sep)) return null;
    const type = TYPES[extname(full)];
    if (!type) return null;
    if (cache.has(full)) return cache.get(full) ?? null;
    let entry: Cached | null = null;
    try {
      const body = new Uint8Array(await readFile(full));
      entry = { body, type, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
    } catch {
      entry = null;
    }
    if (cache.size < 500) cache.set(full, entry);
    return entry;
  }

  const send = (c: Context<AppEnv>, file: Cached | null): Response => {
    if (!file) return new ApiError(404, 'not_found', 'No such file.').render();
    if (c.req.header('if-none-match') === file.etag) return c.body(null, 304, { etag: file.etag });
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': file.type,
      etag: file.etag,
      'cache-control': 'no-cache',
    });
  };

  app.get('/vendor/uplot/:file', async (c) => {
    const name = c.req.param('file');
    if (name !== 'uPlot.iife.min.js' && name !== 'uPlot.min.css') return c.notFound();
    return send(c, await load(opts.uplotDir, name));
  });
  app.get('/*', async (c) => {
    const path = decodeURIComponent(c.req.path);
    if (path.startsWith('/api/'))
      return new ApiError(404, 'route_not_found', `No route for ${c.req.method} ${path}.`).render();
    // Client-side routes (#/…) all start from index.html; anything with an extension is a file.
    const rel = path === '/' || extname(path) === '' ? 'index.html' : path.slice(1);
    return send(c, await load(opts.publicDir, rel));
  });
}
