import { printJson, type CliIo } from '../../../cli/io.js';
import { withRuntime } from '../../../cli/runtime.js';
import { DuowatchError } from '../../../shared/index.js';
import { adviceForResult } from '../../advice.js';
import { AUTH_ACTIONS, runAuthAction, type AuthAction, type DuoResponse } from '../../auth-actions.js';
import { VerifyError } from '../../errors.js';
import { authClient, resolveAuthTarget } from '../../resolve-integration.js';
import type { AuthCliOptions } from './command.js';

function parsePushinfo(lines: readonly string[] | undefined): Record<string, string> | undefined {
  if (lines === undefined || lines.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf('=');
    if (i <= 0)
      throw new VerifyError('verify_usage', `--pushinfo takes key=value, not ${JSON.stringify(line)}`);
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function parseTimeout(text: string | undefined): number {
  const s = Number(text ?? '75');
  if (!Number.isFinite(s) || s <= 0 || s > 600)
    throw new VerifyError(
      'verify_usage',
      `--timeout is seconds between 1 and 600, not ${JSON.stringify(text)}`,
    );
  return Math.round(s * 1000);
}

function printHuman(io: CliIo, action: AuthAction, r: DuoResponse): void {
  if (typeof r['time'] === 'number') {
    io.stdout.write(`${action}: ok, Duo time ${new Date(r['time'] * 1000).toISOString()}\n`);
    return;
  }
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const parts = [text(r['result'])];
  if (typeof r['status'] === 'string') parts.push(`(${r['status']})`);
  if (typeof r['status_msg'] === 'string' && r['status_msg'] !== '') parts.push(`: ${r['status_msg']}`);
  io.stdout.write(`${parts.join(' ').replace(' :', ':')}\n`);
  if (typeof r['txid'] === 'string')
    io.stdout.write(`txid ${r['txid']} (follow with: duowatch auth status --txid …)\n`);
  const devices = r['devices'];
  if (Array.isArray(devices))
    for (const d of devices as Array<Record<string, unknown>>)
      io.stdout.write(
        `  device ${text(d['device'])} ${text(d['display_name']) || text(d['name'])} [${Array.isArray(d['capabilities']) ? d['capabilities'].join(', ') : ''}]\n`,
      );
  const advice = adviceForResult(r);
  if (advice !== null) io.stdout.write(`${advice}\n`);
}

/** `duowatch auth <action>`: exit 0 when Duo answered (whatever it said), 1 on any error. */
export async function runAuth(io: CliIo, action: string, opts: AuthCliOptions): Promise<void> {
  try {
    if (!(AUTH_ACTIONS as readonly string[]).includes(action))
      throw new VerifyError('verify_usage', `unknown action ${JSON.stringify(action)}`);
    const a = action as AuthAction;
    const timeoutMs = parseTimeout(opts.timeout);
    const pushinfo = parsePushinfo(opts.pushinfo);
    const response = await withRuntime(io, opts, async (rt) => {
      const target = await resolveAuthTarget(rt.services, opts.org, opts.integration);
      const client = await authClient(rt.clients, rt.store, target);
      return runAuthAction(client, a, {
        user: opts.user,
        passcode: opts.passcode,
        txid: opts.txid,
        async: opts.async,
        device: opts.device,
        type: opts.type,
        displayUsername: opts.displayUsername,
        pushinfo,
        ipaddr: opts.ipaddr,
        timeoutMs,
      });
    });
    if (opts.json === true) printJson(io, response);
    else printHuman(io, a, response);
  } catch (error) {
    if (error instanceof VerifyError) throw error;
    // Every failure is exit 1 in this command's scripted interface; the original code stays in the message.
    if (error instanceof DuowatchError)
      throw new VerifyError('verify_duo_error', `${error.message} [${error.code}]`, { cause: error });
    throw error;
  }
}
