import { DuowatchError, stripControl } from '../../../shared/index.js';
import type { SaveResult, TestReport } from '../../../services/index.js';
import { printJson, readStdin, type CliIo, type GlobalOptions } from '../../io.js';
import { CLI_ACTOR, withRuntime } from '../../runtime.js';
import type { AddOptions } from './command.js';

class IntegrationCliError extends DuowatchError {}

/** The secret key never comes from argv (it would land in shell history and `ps`). */
async function secretKey(io: CliIo): Promise<string> {
  const fromEnv = io.env['DUOWATCH_SKEY'];
  const skey = fromEnv !== undefined && fromEnv !== '' ? fromEnv : (await readStdin(io)).trim();
  if (skey === '')
    throw new IntegrationCliError('missing_secret', 'give the secret key on stdin or in DUOWATCH_SKEY', {
      exitCode: 2,
    });
  return skey;
}

function printReport(io: CliIo, report: TestReport): void {
  for (const c of report.checks) {
    const mark = c.status === 'pass' ? 'ok  ' : c.status === 'warn' ? 'warn' : 'FAIL';
    const code = c.code === undefined ? '' : ` [${c.code}]`;
    io.stdout.write(`${mark} ${c.label}${code}: ${stripControl(c.message)}\n`);
    if (c.fix !== undefined && c.status !== 'pass') io.stdout.write(`     fix: ${stripControl(c.fix)}\n`);
  }
}

function finishSave(io: CliIo, json: boolean | undefined, result: SaveResult, verb: string): void {
  if (json === true) printJson(io, result);
  else {
    printReport(io, result.report);
    io.stdout.write(
      result.saved
        ? `${verb} integration ${result.integration?.id ?? ''}\n`
        : 'not saved: the test failed (use --force to save anyway)\n',
    );
  }
  if (!result.saved)
    throw new IntegrationCliError('test_failed', 'Test before Save failed; nothing was saved', {
      exitCode: 3,
    });
}

export async function runAdd(io: CliIo, opts: AddOptions): Promise<void> {
  const skey = await secretKey(io);
  await withRuntime(io, opts, async ({ services }) => {
    const result = await services.integrations.add(
      opts.org,
      {
        kind: opts.kind,
        apiHost: opts.host,
        ikey: opts.ikey,
        skey,
        ...(opts.label === undefined ? {} : { label: opts.label }),
        ...(opts.mkey === undefined ? {} : { mkey: opts.mkey }),
      },
      { force: opts.force === true },
      CLI_ACTOR,
    );
    finishSave(io, opts.json, result, 'saved');
  });
}

export async function runTest(io: CliIo, opts: GlobalOptions & { org: string }, id: string): Promise<void> {
  await withRuntime(io, opts, async ({ services }) => {
    const report = await services.integrations.test(opts.org, id);
    if (opts.json === true) printJson(io, report);
    else printReport(io, report);
    if (!report.ok)
      throw new IntegrationCliError('test_failed', 'the connection test failed', { exitCode: 3 });
  });
}

export async function runList(io: CliIo, opts: GlobalOptions & { org: string }): Promise<void> {
  await withRuntime(io, opts, async ({ services }) => {
    const list = await services.integrations.list(opts.org);
    if (opts.json === true) return printJson(io, list);
    for (const i of list) {
      const until = i.health.until === null ? '' : ` until ${i.health.until}`;
      io.stdout.write(
        `${i.id}  ${i.kind.padEnd(8)} ${i.apiHost}  ${i.ikeyHint}  ${i.health.state}${until}\n`,
      );
    }
  });
}

export async function runRotate(
  io: CliIo,
  opts: GlobalOptions & { org: string; ikey?: string; force?: boolean },
  id: string,
): Promise<void> {
  const skey = await secretKey(io);
  await withRuntime(io, opts, async ({ services }) => {
    const result = await services.integrations.rotate(
      opts.org,
      id,
      { skey, ...(opts.ikey === undefined ? {} : { ikey: opts.ikey }) },
      { force: opts.force === true },
      CLI_ACTOR,
    );
    finishSave(io, opts.json, result, 'rotated');
  });
}

export async function runRemove(io: CliIo, opts: GlobalOptions & { org: string }, id: string): Promise<void> {
  await withRuntime(io, opts, async ({ services }) => {
    await services.integrations.remove(opts.org, id, CLI_ACTOR);
    io.stdout.write(`removed integration ${id}\n`);
  });
}
