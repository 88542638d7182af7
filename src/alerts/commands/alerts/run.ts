import { printJson, type CliIo, type GlobalOptions } from '../../../cli/io.js';
import { CLI_ACTOR, withRuntime } from '../../../cli/runtime.js';
import { alertRepository } from '../../alerts.repository.js';
import { AlertError } from '../../errors.js';
import { ALERT_STATUSES, SEVERITIES, type AlertStatus, type StoredAlert } from '../../model.js';
import { alertOut } from '../../routes.js';
import type { ChangeOptions, ListOptions } from './command.js';

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new AlertError('alerts.bad_option', `${flag} must be one of ${allowed.join(', ')}`);
}

export async function runList(io: CliIo, opts: ListOptions): Promise<void> {
  const status = oneOf<AlertStatus>(opts.status, ALERT_STATUSES, '--status');
  const severity = oneOf(opts.severity, SEVERITIES, '--severity');
  const limit = opts.limit === undefined ? 100 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new AlertError('alerts.bad_option', '--limit must be a positive integer');
  const before = opts.before === undefined ? undefined : new Date(opts.before);
  if (before !== undefined && Number.isNaN(before.getTime()))
    throw new AlertError('alerts.bad_option', '--before must be an ISO time, e.g. 2026-11-22T10:00:00Z');
  if (opts.beforeId !== undefined && before === undefined)
    throw new AlertError('alerts.bad_option', '--before-id needs --before');
  await withRuntime(io, opts, async ({ store }) => {
    let orgId: string | null = null;
    if (opts.org !== undefined) {
      const org = await store.organizations.findBySlug(opts.org);
      if (org === undefined)
        throw new AlertError('alerts.org_not_found', `no organization "${opts.org}"`, { status: 404 });
      orgId = org.id;
    }
    const slugs = new Map((await store.organizations.list()).map((o) => [o.id, o.slug]));
    const alerts = await alertRepository(store).list(orgId, {
      status,
      severity,
      rule: opts.rule,
      text: opts.q,
      before,
      beforeId: opts.beforeId,
      limit,
    });
    if (opts.json === true)
      return printJson(
        io,
        alerts.map((a) => ({ org: slugs.get(a.orgId) ?? a.orgId, ...alertOut(a) })),
      );
    if (alerts.length === 0) io.stdout.write('no alerts\n');
    for (const a of alerts)
      io.stdout.write(
        `${a.id}  ${a.lastSeen.toISOString()}  ${a.status.padEnd(12)} ${a.severity.padEnd(8)} ${a.rule.padEnd(32)} ${slugs.get(a.orgId) ?? a.orgId}/${a.entity}${a.count > 1 ? `  ×${a.count}` : ''}\n`,
      );
  });
}

function describe(a: StoredAlert, slug: string): string {
  const lines = [
    `${a.title}`,
    `  id:         ${a.id}`,
    `  org:        ${slug}`,
    `  rule:       ${a.rule} (${a.source})`,
    `  severity:   ${a.severity}`,
    `  entity:     ${a.entity}`,
    `  status:     ${a.status}${a.statusBy === null ? '' : ` by ${a.statusBy} at ${a.statusAt?.toISOString() ?? ''}`}${a.statusNote === null ? '' : ` (${a.statusNote})`}`,
    `  first seen: ${a.firstSeen.toISOString()}`,
    `  last seen:  ${a.lastSeen.toISOString()}  (count ${a.count})`,
    `  events:     ${a.eventIds.join(', ')}`,
    ...Object.entries(a.fields).map(
      ([k, v]) => `  ${`${k}:`.padEnd(11)} ${typeof v === 'string' ? v : JSON.stringify(v)}`,
    ),
  ];
  return lines.join('\n') + '\n';
}

export async function runShow(io: CliIo, opts: GlobalOptions, id: string): Promise<void> {
  await withRuntime(io, opts, async ({ store }) => {
    const alert = await alertRepository(store).get(null, id);
    if (alert === undefined) throw new AlertError('alerts.not_found', `no alert ${id}`, { status: 404 });
    const slug = (await store.organizations.get(alert.orgId))?.slug ?? alert.orgId;
    if (opts.json === true) return printJson(io, { org: slug, ...alertOut(alert) });
    io.stdout.write(describe(alert, slug));
  });
}

export async function runChange(
  io: CliIo,
  opts: ChangeOptions,
  id: string,
  verb: 'ack' | 'resolve',
): Promise<void> {
  await withRuntime(io, opts, async ({ store }) => {
    const changed = await alertRepository(store).setStatus(
      id,
      verb === 'ack' ? 'acknowledged' : 'resolved',
      CLI_ACTOR.id,
      opts.note,
    );
    await store.auditLog.append({
      actor: CLI_ACTOR.id,
      orgId: changed.orgId,
      action: `alert.${verb}`,
      target: id,
      details: {
        rule: changed.rule,
        entity: changed.entity,
        outcome: 'success',
        ...(opts.note === undefined ? {} : { note: opts.note }),
      },
    });
    if (opts.json === true) return printJson(io, alertOut(changed));
    io.stdout.write(`${changed.status} alert ${id} (${changed.rule}, ${changed.entity})\n`);
  });
}
