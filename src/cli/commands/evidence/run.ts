import { writeFile } from 'node:fs/promises';
import { DuowatchError, stripControl } from '../../../shared/index.js';
import type { EvidenceView } from '../../../services/index.js';
import { printJson, type CliIo, type GlobalOptions } from '../../io.js';
import { CLI_ACTOR, withRuntime } from '../../runtime.js';
import type { ExportOptions } from './command.js';

class EvidenceCliError extends DuowatchError {}

function printView(io: CliIo, view: EvidenceView): void {
  io.stdout.write(`organization ${view.org}\n`);
  for (const s of [...view.signals, ...(view.extended ?? [])]) {
    const cut = s.truncated ? ' (incomplete: a page cap stopped the listing)' : '';
    io.stdout.write(
      `  ${s.status.toUpperCase().padEnd(8)} ${s.id}${s.extended === true ? ' (extended)' : ''}${cut}\n`,
    );
  }
  for (const p of view.pending ?? []) io.stdout.write(`  PENDING  ${p.signal}: ${p.reason}\n`);
  for (const e of view.errors ?? [])
    io.stdout.write(
      `  ERROR    ${e.source}: ${stripControl(e.message)}${e.code === null ? '' : ` [${e.code}]`}\n`,
    );
}

export async function runSync(
  io: CliIo,
  opts: GlobalOptions & { org: string; signal?: string },
): Promise<void> {
  await withRuntime(io, opts, async ({ services }) => {
    const view = await services.evidence.sync(
      opts.org,
      opts.signal === undefined ? {} : { signal: opts.signal },
      CLI_ACTOR,
    );
    if (opts.json === true) printJson(io, view);
    else printView(io, view);
    if ((view.errors ?? []).length > 0)
      throw new EvidenceCliError('sync_failed', 'some evidence could not be collected (see errors)', {
        exitCode: 3,
      });
  });
}

export async function runShow(io: CliIo, opts: GlobalOptions & { org: string }): Promise<void> {
  await withRuntime(io, opts, async ({ services }) => {
    const view = await services.evidence.latest(opts.org);
    if (opts.json === true) printJson(io, view);
    else printView(io, view);
  });
}

function parseDate(text: string, name: string): Date {
  const d = new Date(text);
  if (Number.isNaN(d.getTime()))
    throw new EvidenceCliError('invalid_date', `${name} is not a date: ${JSON.stringify(text)}`, {
      exitCode: 2,
    });
  return d;
}

export async function runExport(io: CliIo, opts: ExportOptions): Promise<void> {
  const from = parseDate(opts.from, '--from');
  const to = parseDate(opts.to, '--to');
  await withRuntime(io, opts, async ({ services }) => {
    const file = await services.evidence.export(opts.org, { from, to, format: opts.format });
    if (opts.out === undefined) io.stdout.write(file.body);
    else {
      await writeFile(opts.out, file.body);
      io.stderr.write(`wrote ${opts.out}\n`);
    }
  });
}
