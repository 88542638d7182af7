import { readFile, stat } from 'node:fs/promises';
import { DevicesInputError } from './errors.js';
import type { DeviceSyncSource } from './config-schema.js';

export interface SourceIo {
  readFile?: (path: string) => Promise<Buffer>;
  fileSize?: (path: string) => Promise<number>;
  fetch?: typeof fetch;
}

/**
 * Reads a configured sync source: a file, or an https URL that starts with one of `allowedUrls` (so a
 * configuration cannot make the service fetch arbitrary addresses). Bounded by `maxBytes` either way.
 */
export async function readSource(
  source: DeviceSyncSource,
  allowedUrls: readonly string[],
  maxBytes: number,
  io: SourceIo = {},
  signal?: AbortSignal,
): Promise<{ bytes: Buffer; name: string }> {
  if (source.file !== undefined) {
    const size = await (io.fileSize ?? (async (p) => (await stat(p)).size))(source.file);
    if (size > maxBytes)
      throw new DevicesInputError(
        'input_too_large',
        `${source.file} is larger than ${String(maxBytes)} bytes`,
      );
    return { bytes: await (io.readFile ?? readFile)(source.file), name: source.file };
  }
  const url = source.url ?? '';
  if (!allowedUrls.some((prefix) => url.startsWith(prefix)))
    throw new DevicesInputError('url_not_allowed', `${url} is not under any devices.allowedUrls prefix`);
  if (!url.startsWith('https://') && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url))
    throw new DevicesInputError('url_not_allowed', 'a sync source URL must be https (or loopback http)');
  const res = await (io.fetch ?? fetch)(url, {
    redirect: 'error',
    ...(signal === undefined ? {} : { signal }),
  });
  if (!res.ok)
    throw new DevicesInputError('source_unavailable', `${url} answered HTTP ${String(res.status)}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body !== null) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes)
        throw new DevicesInputError('input_too_large', `${url} is larger than ${String(maxBytes)} bytes`);
      chunks.push(chunk);
    }
  }
  return { bytes: Buffer.concat(chunks), name: url };
}
