import { readFile, stat } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import { stripControl } from '../../../shared/index.js';
import { printJson, type CliIo } from '../../../cli/io.js';
import { CLI_ACTOR, withRuntime } from '../../../cli/runtime.js';
import { DevicesError, DevicesInputError } from '../../errors.js';
import { createDevicesService, type SyncReport } from '../../devices-service.js';
import type { SyncOutcome, SyncPlan } from '../../sync-types.js';
import type { StatusCliOptions, SyncCliOptions } from './command.js';

/** The scripted `--json` shape, exactly (docs/devices.md "Scripted use"). */
function scripted(r: {
  plan: SyncPlan;
  uploaded: number;
  activated: boolean;
  device_count: number | null;
  outcome: SyncOutcome;
}) {
  const { active, added, removed, unchanged } = r.plan;
  return {
    plan: { active, added, removed, unchanged },
    uploaded: r.uploaded,
    activated: r.activated,
    device_count: r.device_count,
    outcome: r.outcome,
  };
}

async function readInput(io: CliIo, file: string, maxBytes: number): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of io.stdin) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += b.length;
      if (size > maxBytes)
        throw new DevicesInputError('input_too_large', `stdin holds more than ${String(maxBytes)} bytes`);
      chunks.push(b);
    }
    return Buffer.concat(chunks);
  }
  const info = await stat(file).catch((error: unknown) => {
    throw new DevicesInputError(
      'file_unreadable',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  });
  if (info.size > maxBytes)
    throw new DevicesInputError(
      'input_too_large',
      `${file} is larger than ${String(maxBytes)} bytes (devices.maxInputMiB)`,
    );
  return readFile(file);
}

export async function runSync(io: CliIo, opts: SyncCliOptions, verb: 'sync' | 'plan'): Promise<void> {
  const threshold = opts.shrinkThreshold === undefined ? undefined : Number(opts.shrinkThreshold);
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1))
    throw new DevicesError('invalid_option', '--shrink-threshold must be a fraction in (0, 1]', {
      exitCode: 2,
    });
  const progress: { bar: SingleBar | null } = { bar: null };
  await withRuntime(io, opts, async (rt) => {
    const service = createDevicesService({
      store: rt.store,
      clientFor: (orgId, id) => rt.clients.forIntegration(rt.store, orgId, id),
      settings: {
        shrinkThreshold: rt.config.devices.shrinkThreshold,
        staleAfterHours: rt.config.devices.staleAfterHours,
      },
    });
    const configured = rt.config.devices.syncs.find(
      (s) => s.org === opts.org && s.integration === opts.integration,
    );
    const file = opts.file ?? configured?.file;
    if (file === undefined)
      throw new DevicesInputError(
        'missing_input',
        'give the fleet export with --file <path> (or "-" for stdin)',
        {
          exitCode: 2,
        },
      );
    let report: SyncReport;
    try {
      const bytes = await readInput(io, file, rt.config.devices.maxInputMiB * 1024 * 1024);
      report = await service.sync(
        opts.org,
        opts.integration,
        { bytes, source: file === '-' ? 'stdin' : file },
        {
          ...(opts.format === undefined ? {} : { format: opts.format }),
          ...(opts.deviceIdColumn === undefined ? {} : { idColumn: opts.deviceIdColumn }),
          ...(opts.os === undefined ? {} : { os: opts.os }),
          ...(threshold === undefined ? {} : { shrinkThreshold: threshold }),
          skipInvalid: opts.skipInvalid === true,
          dryRun: opts.dryRun === true ? (opts.uploadDryRun === true ? 'upload' : 'plan') : false,
          force: opts.force === true,
          deleteForeignPending: opts.deletePending === true,
          trigger: 'cli',
          actor: CLI_ACTOR.id,
          onProgress: (p) => {
            if (p.phase !== 'uploading') return;
            // Progress goes to stderr so `--json` stdout stays one clean document; cli-progress prints
            // nothing on a non-TTY unless asked (DUOWATCH_PROGRESS=1).
            const bar = (progress.bar ??= new SingleBar({
              stream: io.stderr,
              noTTYOutput: io.env['DUOWATCH_PROGRESS'] === '1',
              format: 'uploading [{bar}] {value}/{total} identifiers',
            }));
            if (bar.getTotal() !== p.total) bar.start(p.total, 0);
            bar.update(p.done);
          },
        },
      );
    } catch (error) {
      if (opts.json === true && error instanceof DevicesError)
        printJson(
          io,
          scripted({
            plan: { active: 0, added: 0, removed: 0, unchanged: 0, exact: false },
            uploaded: 0,
            activated: false,
            device_count: null,
            outcome: 'failed',
          }),
        );
      throw error;
    } finally {
      progress.bar?.stop();
    }
    const out = io.stderr;
    for (const d of report.input.rejected.slice(0, 50))
      out.write(`skipped line ${String(d.line)}: ${stripControl(d.reason)}\n`);
    if (report.input.duplicates > 0)
      out.write(`${String(report.input.duplicates)} duplicate identifier(s) ignored\n`);
    if (opts.json === true) printJson(io, scripted(report));
    else printHuman(io, report, verb);
    for (const n of report.notes) out.write(`${stripControl(n)}\n`);
    if (report.outcome === 'shrink_refused')
      throw new DevicesError('shrink_refused', report.error?.message ?? 'refused by the shrink guard', {
        exitCode: 3,
      });
    if (report.outcome === 'failed')
      throw new DevicesError(
        report.error?.code ?? 'sync_failed',
        report.error?.message ?? 'the sync failed',
        {
          exitCode: 1,
        },
      );
  });
}

function printHuman(io: CliIo, r: SyncReport, verb: 'sync' | 'plan'): void {
  const p = r.plan;
  const w = (s: string) => io.stdout.write(`${s}\n`);
  w(
    `read ${String(r.input.ids)} identifier(s) from column ${r.input.column}${r.input.os === null ? '' : ` (${r.input.os})`}`,
  );
  w(
    `plan: active ${String(p.active)}, +${String(p.added)} added, -${String(p.removed)} removed, ${String(p.unchanged)} unchanged${p.exact ? '' : ' (estimated from counts)'}`,
  );
  if (r.removedSample.length > 0)
    w(`removed (first ${String(r.removedSample.length)}): ${r.removedSample.join(', ')}`);
  if (r.outcome === 'synced')
    w(
      `synced: uploaded ${String(r.uploaded)}, Duo counts ${String(r.device_count)}, cache activated (${String(r.durationMs)} ms)`,
    );
  else if (r.outcome === 'planned')
    w(
      verb === 'plan' || r.uploaded === 0
        ? 'dry run: nothing uploaded'
        : `dry run: uploaded ${String(r.uploaded)} to a pending cache and deleted it`,
    );
}

export async function runStatus(io: CliIo, opts: StatusCliOptions): Promise<void> {
  await withRuntime(io, opts, async (rt) => {
    const service = createDevicesService({
      store: rt.store,
      clientFor: (orgId, id) => rt.clients.forIntegration(rt.store, orgId, id),
      settings: {
        shrinkThreshold: rt.config.devices.shrinkThreshold,
        staleAfterHours: rt.config.devices.staleAfterHours,
      },
    });
    const s = await service.status(opts.org, opts.integration);
    if (opts.json === true) return printJson(io, s);
    const w = (line: string) => io.stdout.write(`${line}\n`);
    w(`${s.label} (${s.integrationId})${s.os === null ? '' : `, ${s.os}`}`);
    w(
      s.active === null
        ? 'active cache: none'
        : `active cache: ${s.active.cache_key}, ${String(s.active.device_count)} devices`,
    );
    for (const p of s.pending)
      w(
        `pending cache: ${p.cache_key}, ${String(p.device_count)} devices${p.createdByDuowatch ? ' (left by duowatch)' : ' (not created by duowatch)'}`,
      );
    w(`last successful sync: ${s.lastSuccessAt ?? 'never'}${s.stale ? ' — STALE' : ''}`);
    if (s.lastRun !== null)
      w(
        `last run: ${s.lastRun.outcome} at ${s.lastRun.finishedAt.toISOString()} (${s.lastRun.trigger}, ${s.lastRun.source})`,
      );
  });
}
