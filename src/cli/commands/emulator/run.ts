import { join } from 'node:path';
import { DuowatchError } from '../../../shared/index.js';
import type { CliIo } from '../../io.js';
import { createEmulator, parseFaultShorthand, type FaultSpec } from '../../../emulator/index.js';
import type { ScenarioSpec } from '../../../emulator/world/index.js';

export interface EmulatorCommandOptions {
  port?: string;
  host?: string;
  tenants?: string;
  users?: string;
  seed?: string;
  tenantFile?: string;
  scenario?: string[];
  fault?: string[];
  rateLimit?: boolean;
  controlToken?: string;
  dataDir?: string;
}

export class EmulatorUsageError extends DuowatchError {
  constructor(message: string) {
    super('emulator_usage', message, { status: 400, exitCode: 2 });
  }
}

function int(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new EmulatorUsageError(`--${name} must be an integer in ${String(min)}..${String(max)}`);
  return n;
}

const ADMIN_ACTIONS = ['bypass_create', 'user_delete', 'admin_create', 'integration_skey_view'];

/** `--scenario kind[:arg]`: arg is the action for admin_action, else the user (id or username). */
export function parseScenario(text: string): ScenarioSpec {
  const [kind = '', arg] = text.split(':', 2);
  if (kind === 'admin_action') {
    if (arg === undefined || !ADMIN_ACTIONS.includes(arg)) {
      throw new EmulatorUsageError(`--scenario admin_action:<${ADMIN_ACTIONS.join('|')}>`);
    }
    return { kind, action: arg } as ScenarioSpec;
  }
  const known = [
    'push_fatigue',
    'fraud',
    'bypass_code_use',
    'user_to_bypass',
    'new_country',
    'impossible_travel',
    'remembered_device_abuse',
    'telephony_fraud',
  ];
  if (!known.includes(kind))
    throw new EmulatorUsageError(
      `unknown scenario ${JSON.stringify(kind)}; one of ${known.join(', ')}, admin_action`,
    );
  return (arg === undefined || kind === 'telephony_fraud' ? { kind } : { kind, user: arg }) as ScenarioSpec;
}

/** A signal that aborts on SIGINT/SIGTERM, and a way to stop listening for them. */
export function processStopSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/**
 * Starts the emulator, prints ONE JSON line on stdout when it is ready, serves until `stop` aborts, then
 * closes gracefully (dropping keep-alive sockets first).
 */
export async function runEmulatorCommand(
  opts: EmulatorCommandOptions,
  io: CliIo,
  stop: AbortSignal,
): Promise<void> {
  let faults: FaultSpec[];
  try {
    faults = (opts.fault ?? []).map(parseFaultShorthand);
  } catch (err) {
    throw new EmulatorUsageError(err instanceof Error ? err.message : String(err));
  }
  const scenarios = (opts.scenario ?? []).map(parseScenario);
  const port = int(opts.port, 'port', 0, 65535) ?? 8443;
  const tenants = int(opts.tenants, 'tenants', 1, 1000);
  const users = int(opts.users, 'users', 0, 1_000_000);
  const emulator = await createEmulator({
    seed: opts.seed ?? 'duowatch',
    ...(tenants === undefined ? {} : { tenants }),
    ...(users === undefined ? {} : { users }),
    ...(opts.tenantFile === undefined ? {} : { tenantFile: opts.tenantFile }),
    ...(opts.controlToken === undefined ? {} : { controlToken: opts.controlToken }),
    ...(opts.dataDir === undefined ? {} : { tlsDir: join(opts.dataDir, 'emulator-tls') }),
    rateLimit: opts.rateLimit !== false,
    faults,
    scenarios,
  });
  const listening = await emulator.listen({ port, host: opts.host ?? '127.0.0.1' });
  const address = `${listening.address.includes(':') ? `[${listening.address}]` : listening.address}:${String(listening.port)}`;
  const ready = {
    ready: true,
    address,
    caFile: listening.caFile,
    controlUrl: `https://${address}/_emulator`,
    controlToken: emulator.controlToken,
    tenants: emulator.credentials().map((t) => ({
      hostname: t.hostname,
      address,
      caFile: listening.caFile,
      name: t.name,
      accountId: t.accountId,
      parent: t.parent,
      admin: t.admin,
      auth: t.auth,
      device: t.device,
      accounts: t.accounts,
    })),
  };
  io.stdout.write(JSON.stringify(ready) + '\n');
  if (!stop.aborted)
    await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  await listening.close();
}
