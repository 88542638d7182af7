import { z } from 'zod';
import { printJson, type CliIo } from '../../../cli/io.js';
import { CLI_ACTOR, withRuntime } from '../../../cli/runtime.js';
import type { Runtime } from '../../../runtime/index.js';
import { stripControl } from '../../../shared/index.js';
import type { Organization } from '../../../store/index.js';
import { healthInvalid, healthNotFound } from '../../errors.js';
import {
  deleteWindow,
  listWindows,
  scheduleWindow,
  type MaintenanceRow,
  type ScheduleDeps,
} from '../../monitor/maintenance-schedule.js';
import { resolveOrg } from '../../probe/probe-targets.js';
import { maintenanceRepository } from '../../store/maintenance-repository.js';
import type { MaintenanceAddOptions, ProbeCommandOptions } from './command.js';

// The same time format the REST route accepts (an ISO time with a zone), so a script may use either.
const isoTime = z.iso.datetime({ offset: true });

function time(value: string, flag: string): string {
  if (!isoTime.safeParse(value).success)
    throw healthInvalid(`${flag} must be an ISO time with a zone, e.g. 2026-12-01T02:00:00Z`);
  return value;
}

/** The schedule's calls for the CLI: audited as `cli`, like every command that changes something. */
function schedule(rt: Runtime): ScheduleDeps {
  return {
    windows: maintenanceRepository(rt.store),
    owns: async (orgId, id) => (await rt.store.integrations.get(orgId, id)) !== undefined,
    audit: async (e) => {
      await rt.store.auditLog.append({
        actor: CLI_ACTOR.id,
        orgId: e.orgId,
        action: e.action,
        target: e.target,
        details: { ...e.details, outcome: 'success' },
      });
    },
    now: () => Date.now(),
  };
}

const configured = (rt: Runtime, org: Organization) =>
  rt.config.health.maintenance.filter((w) => w.org === org.slug);

function printRow(io: CliIo, r: MaintenanceRow): void {
  const id = r.id === null ? 'config' : String(r.id);
  io.stdout.write(
    `${id.padEnd(7)} ${r.start} → ${r.end}  ${(r.integration ?? 'every integration').padEnd(36)} ${(r.active ? 'ACTIVE' : '').padEnd(6)} ${stripControl(r.reason)}${r.created_by === null ? '' : ` (by ${stripControl(r.created_by)})`}\n`,
  );
}

/** `duowatch health maintenance list --org X [--json]`. */
export async function runMaintenanceList(io: CliIo, opts: ProbeCommandOptions): Promise<void> {
  await withRuntime(io, opts, async (rt) => {
    const org = await resolveOrg(rt.store, opts.org);
    const rows = await listWindows(schedule(rt), configured(rt, org), org.id);
    if (opts.json === true) return printJson(io, rows);
    if (rows.length === 0) io.stdout.write('no maintenance windows\n');
    for (const r of rows) printRow(io, r);
  });
}

/** `duowatch health maintenance add --org X --start T --end T [--integration ID] [--reason TEXT] [--json]`. */
export async function runMaintenanceAdd(io: CliIo, opts: MaintenanceAddOptions): Promise<void> {
  const start = time(opts.start, '--start');
  const end = time(opts.end, '--end');
  // The REST route's limits on the same fields.
  if (opts.reason.length < 1 || opts.reason.length > 200)
    throw healthInvalid('--reason must be 1 to 200 characters');
  if (opts.integration !== undefined && (opts.integration.length < 1 || opts.integration.length > 100))
    throw healthInvalid('--integration must be an integration id');
  await withRuntime(io, opts, async (rt) => {
    const org = await resolveOrg(rt.store, opts.org);
    const row = await scheduleWindow(
      schedule(rt),
      org.id,
      { integration: opts.integration, start, end, reason: opts.reason },
      CLI_ACTOR.id,
    );
    if (opts.json === true) return printJson(io, row);
    io.stdout.write(`scheduled maintenance window ${String(row.id)} in ${org.slug}\n`);
    printRow(io, row);
  });
}

/** `duowatch health maintenance delete <id> --org X [--json]`. */
export async function runMaintenanceDelete(io: CliIo, opts: ProbeCommandOptions, id: string): Promise<void> {
  const n = Number(id);
  if (!/^[1-9]\d{0,15}$/.test(id) || !Number.isSafeInteger(n))
    throw healthInvalid('the window id is a positive whole number (see `duowatch health maintenance list`)');
  await withRuntime(io, opts, async (rt) => {
    const org = await resolveOrg(rt.store, opts.org);
    const row = await deleteWindow(schedule(rt), org.id, n);
    if (row === undefined) throw healthNotFound(`maintenance window ${id} of ${org.slug}`);
    if (opts.json === true) return printJson(io, row);
    io.stdout.write(`deleted maintenance window ${id} in ${org.slug}\n`);
    printRow(io, row);
  });
}
