import { isAbsolute, resolve as resolvePath } from 'node:path';
import { DuowatchError } from '../../shared/index.js';
import type { FileSinkConfig, StdoutSinkConfig } from './sink-config.js';
import type { LogFormat } from './types.js';

/** A `--sink` value the CLI could not read. Exit code 64 (EX_USAGE), like other usage errors. */
export class SinkSpecError extends DuowatchError {
  constructor(message: string) {
    super('sink.spec', message, { status: 400, exitCode: 64 });
  }
}

export interface SinkSpec {
  readonly name: string;
  readonly config: FileSinkConfig | StdoutSinkConfig;
}

/**
 * Reads `--sink file:<path>` or `--sink stdout` (docs/log-sinks.md, "On the command line"). A relative path is
 * taken from `cwd`. File sinks from the command line rotate only by size (256 MiB) so a one-shot run never
 * rotates on age alone.
 */
export function parseSinkSpec(spec: string, options: { format?: LogFormat; cwd?: string } = {}): SinkSpec {
  const format = options.format ?? 'raw';
  const cwd = options.cwd ?? process.cwd();
  if (spec === 'stdout' || spec === '-') return { name: 'stdout', config: { type: 'stdout', format } };
  if (spec.startsWith('file:')) {
    const raw = spec.slice('file:'.length);
    if (raw.trim() === '') throw new SinkSpecError('--sink file:<path> needs a path');
    const path = isAbsolute(raw) ? raw : resolvePath(cwd, raw);
    return {
      name: `file:${path}`,
      config: {
        type: 'file',
        path,
        format,
        rotate: { maxBytes: 256 * 1024 * 1024, maxAgeHours: 0, gzip: true, maxFiles: 0 },
      },
    };
  }
  throw new SinkSpecError(
    `--sink "${spec}" is not file:<path> or stdout (configured sinks are named in the config file)`,
  );
}
