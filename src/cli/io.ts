import type { Readable, Writable } from 'node:stream';

/** What a command may touch of the outside world; injected so tests run commands in-process. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: Readonly<Record<string, string | undefined>>;
}

/** Options every command accepts (docs/evidence.md: several instances must coexist). */
export interface GlobalOptions {
  dataDir?: string;
  config?: string;
  json?: boolean;
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Reads all of stdin (for secrets, which never come from argv). */
export async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
