import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { DuowatchError } from '../../../shared/index.js';
import { printJson, type CliIo } from '../../io.js';

export interface EmulatorFaultOptions {
  dataDir?: string;
  config?: string;
  calls?: string;
  json?: boolean;
}

export class EmulatorFaultError extends DuowatchError {
  constructor(code: 'emulator_usage' | 'demo_not_running' | 'emulator_control_failed', message: string) {
    super(code, message, {
      status: code === 'emulator_usage' ? 400 : 503,
      exitCode: code === 'emulator_usage' ? 2 : 1,
    });
  }
}

/** What the demo writes next to its TLS files (src/runtime, `DEMO_CONTROL_FILE`). */
interface DemoControl {
  controlUrl: string;
  controlToken: string;
  caFile: string;
  hostname: string;
}

type Step =
  | { method: 'POST'; path: string; body: Record<string, unknown> }
  | { method: 'GET' | 'DELETE'; path: string };

/**
 * The presets a newcomer uses to watch health states change (docs/health.md, "Watching states change"); any
 * other word is the emulator's own fault shorthand `kind[:path][@p]`, aimed at the demo tenant.
 */
export function faultSteps(what: string, host: string, calls: number): Step[] {
  const fault = (body: Record<string, unknown>): Step => ({
    method: 'POST',
    path: '/faults',
    body: { host, ...body },
  });
  switch (what) {
    case 'down':
      return [fault({ id: 'demo-down', kind: 'error', status: 503 })];
    case 'slow':
      return [fault({ id: 'demo-slow', kind: 'latency', latencyMs: 3000 })];
    case 'hang':
      return [fault({ id: 'demo-hang', kind: 'hang' })];
    case 'telephony':
      return [
        fault({ id: 'demo-telephony', kind: 'telephony' }),
        ...(['phone', 'sms', 'push'] as const).map((factor): Step => ({
          method: 'POST',
          path: `/tenants/${host}/traffic`,
          body: { factor, count: calls },
        })),
      ];
    case 'clear':
      return [{ method: 'DELETE', path: '/faults' }];
    case 'list':
      return [{ method: 'GET', path: '/faults' }];
    default:
      if (!/^[a-z_]+(?::[^@]+)?(?:@[0-9.]+)?$/.test(what))
        throw new EmulatorFaultError(
          'emulator_usage',
          `unknown fault ${JSON.stringify(what)}: down, slow, hang, telephony, clear, list, or kind[:path][@p]`,
        );
      return [fault({ fault: what })];
  }
}

const NEXT: Record<string, string> = {
  down: 'every request to the demo tenant now answers 503: the Health page shows PENDING, then DOWN after `health.retries` probes (one a minute).',
  slow: 'every request now takes 3 s more: after `health.latency.minSamples` probes the p95 passes 2 s and the integration turns DEGRADED.',
  hang: 'requests now hang until the probe times out (`health.timeoutSeconds`): PENDING, then DOWN.',
  telephony:
    'phone calls now time out and SMS fail while push works; simulated logins were started. About 3 min later (60 s call timeout + the auth log\'s 2 min delay) the collected auth log shows them and the demo integrations turn DEGRADED ("factor phone_call failing").',
  clear: 'faults removed: the integrations recover after `health.recoveries` good probes.',
};

/** `duowatch emulator fault <what>`: changes the running demo tenant through its control API. */
export async function runEmulatorFault(what: string, opts: EmulatorFaultOptions, io: CliIo): Promise<void> {
  const calls = Number(opts.calls ?? '12');
  if (!Number.isInteger(calls) || calls < 1 || calls > 1000)
    throw new EmulatorFaultError('emulator_usage', '--calls must be an integer in 1..1000');
  const control = await readControl(opts, io);
  const steps = faultSteps(what, control.hostname, calls);
  const agent = new Agent({ connect: { ca: await readFile(control.caFile, 'utf8') } });
  const answers: unknown[] = [];
  try {
    for (const step of steps) {
      const res = await undiciFetch(`${control.controlUrl}${step.path}`, {
        method: step.method,
        headers: { authorization: `Bearer ${control.controlToken}`, 'content-type': 'application/json' },
        ...(step.method === 'POST' ? { body: JSON.stringify(step.body) } : {}),
        dispatcher: agent,
      }).catch((error: unknown) => {
        throw new EmulatorFaultError(
          'emulator_control_failed',
          `the demo emulator did not answer (${error instanceof Error ? error.message : String(error)}); is \`duowatch serve\` still running?`,
        );
      });
      const body: unknown = await res.json().catch(() => null);
      if (!res.ok) {
        const message = (body as { error?: unknown } | null)?.error;
        throw new EmulatorFaultError(
          'emulator_control_failed',
          `the emulator refused ${step.method} ${step.path}: HTTP ${String(res.status)} ${typeof message === 'string' ? message : ''}`.trim(),
        );
      }
      answers.push(body);
    }
  } finally {
    await agent.close();
  }
  if (opts.json === true) {
    printJson(io, { host: control.hostname, what, answers });
    return;
  }
  if (what === 'list') {
    const faults =
      (answers[0] as { faults?: Array<{ id: string; kind: string; host?: string; fired: number }> } | null)
        ?.faults ?? [];
    io.stdout.write(
      faults.length === 0
        ? 'no faults\n'
        : faults.map((f) => `${f.id}\t${f.kind}\t${f.host ?? '*'}\tfired ${String(f.fired)}`).join('\n') +
            '\n',
    );
    return;
  }
  io.stdout.write(`${control.hostname}: ${NEXT[what] ?? `fault ${what} added.`}\n`);
}

async function readControl(opts: EmulatorFaultOptions, io: CliIo): Promise<DemoControl> {
  const { loadConfig } = await import('../../../config/index.js');
  const { DEMO_CONTROL_FILE } = await import('../../../runtime/index.js');
  const config = await loadConfig({
    file: opts.config,
    env: io.env,
    cwd: process.cwd(),
    overrides: { dataDir: opts.dataDir },
  });
  const file = join(config.dataDir, 'emulator', DEMO_CONTROL_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new EmulatorFaultError(
      'demo_not_running',
      `no demo emulator is running for the data directory ${config.dataDir}: start it with \`npm start\` (or \`duowatch serve\`) and run this command with the same data directory`,
    );
  }
  const parsed = JSON.parse(text) as Partial<DemoControl>;
  if (
    typeof parsed.controlUrl !== 'string' ||
    typeof parsed.controlToken !== 'string' ||
    typeof parsed.caFile !== 'string' ||
    typeof parsed.hostname !== 'string'
  )
    throw new EmulatorFaultError('demo_not_running', `${file} is not a demo control file`);
  return parsed as DemoControl;
}
