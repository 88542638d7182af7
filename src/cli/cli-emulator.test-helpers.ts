import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  createClock,
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type TenantCredentials,
} from '../emulator/index.js';
import { main } from './index.js';

/** The emulator over real TLS plus the DUOWATCH_* variables that point the CLI at it, as a user would set them. */
export interface CliEmulator {
  emulator: Emulator;
  listening: Awaited<ReturnType<Emulator['listen']>>;
  creds: TenantCredentials;
  dir: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startCliEmulator(options: {
  prefix: string;
  emulator: EmulatorOptions;
  env?: Record<string, string>;
}): Promise<CliEmulator> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  const emulator = await createEmulator(options.emulator);
  const listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
  const creds = emulator.credentials()[0];
  if (creds === undefined) throw new Error('no tenant');
  const env = {
    DUOWATCH_DATA_DIR: join(dir, 'data'),
    DUOWATCH_DUO_RESOLVE: `${creds.hostname}=${listening.address}:${String(listening.port)}`,
    DUOWATCH_DUO_CA_FILE: listening.caFile,
    DUOWATCH_ALLOW_PRIVATE_ADDRESSES: 'true',
    ...options.env,
  };
  return {
    emulator,
    listening,
    creds,
    dir,
    env,
    async close() {
      await listening.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The logs CLI tests' world: the tenant runs an hour behind the wall clock, so moving its clock forward later
 * makes new events appear inside the collector's window (now − 2 min by the wall clock); Duo's rate limits and
 * our log budget are off.
 */
export function startLogsCliEmulator(prefix: string, seed: string, users: number): Promise<CliEmulator> {
  return startCliEmulator({
    prefix,
    emulator: {
      seed,
      users,
      rateLimit: false,
      signAgainstWallClock: true,
      clock: createClock({ offsetMs: -3_600_000 }),
    },
    env: { DUOWATCH_DUO_LOG_BUDGET: '0' },
  });
}

/** Runs the CLI in-process with the given environment and stdin; collects stdout and stderr. */
export async function runCli(
  args: string[],
  io: { env: Record<string, string>; stdin?: string },
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const input = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  input.end(io.stdin ?? '');
  const code = await main(args, { stdout, stderr, stdin: input, env: io.env });
  return { code, out, err };
}
