import { alertOutbox } from '../../../alerts/index.js';
import { printJson, type CliIo, type GlobalOptions } from '../../../cli/io.js';
import { withRuntime } from '../../../cli/runtime.js';
import type { Runtime } from '../../../runtime/index.js';
import { stripControl } from '../../../shared/index.js';
import { checkpointRepository, type CheckpointStream } from '../../checkpoint.repository.js';
import { collectOrg, processOwner, type StreamReport } from '../../collect-org.js';
import { createDeliveryLock } from '../../delivery-lock.js';
import { LogsError } from '../../errors.js';
import { prepareSinks } from '../../prepare-sinks.js';
import { openLogsService, streamView, type LogsService } from '../../service.js';
import { rateKey, sharedState } from '../../shared-state.js';
import { createSink, parseSinkSpec, type LogSink } from '../../sinks/index.js';
import { parseStreams, type LogStream } from '../../streams.js';
import { parseSince, windowFloor } from '../../windows.js';
import type { LogsBackfillOptions, LogsOnceOptions, LogsRunOptions } from './command.js';

const DEFAULT_LOOKBACK = '24h';

/**
 * Without `--sink`, the CLI collects exactly as `serve` does: the configured `logs:` routes, sinks and filters
 * through the same service (one code path), writing the same checkpoints, rates and sink states.
 */
async function openConfigured(io: CliIo, rt: Runtime): Promise<LogsService> {
  return openLogsService({
    config: rt.config.logs,
    dataDir: rt.config.dataDir,
    env: io.env,
    store: rt.store,
    clientFor: (o, i, rates) =>
      rt.clients.forIntegration(rt.store, o, i, rates === null ? {} : { ratesPerMinute: rates }),
    demo: false,
    now: () => Date.now(),
    // The alerts routes read the outbox, whichever process stored the alert changes.
    outbox: alertOutbox(rt.store),
    onSinkError: (error, context) =>
      io.stderr.write(
        `${new Date().toISOString()} sink ${error.sink}: ${error.code}: ${stripControl(error.message)} (${String(context.queued)} queued, attempt ${String(context.attempt)})\n`,
      ),
  });
}

/** The Admin and Accounts integrations of an organization the routes collect, by the service's own plan. */
async function routedTargets(
  service: LogsService,
  orgIds: readonly string[] | null,
): Promise<Array<{ orgId: string; integrationId: string }>> {
  return (await service.targets())
    .filter((t) => orgIds === null || (t.orgId !== undefined && orgIds.includes(t.orgId)))
    .flatMap((t) =>
      t.orgId === undefined || t.integrationId === undefined
        ? []
        : [{ orgId: t.orgId, integrationId: t.integrationId }],
    );
}

/**
 * The selected streams the configured routes collect for the organization; neither a Duo stream nor (when the
 * caller delivers them) its alerts routed is an error that says the fix.
 */
async function routedStreams(
  rt: Runtime,
  service: Awaited<ReturnType<typeof openConfigured>>,
  slug: string,
  selected: readonly LogStream[],
  alertsRouted = false,
): Promise<LogStream[]> {
  const full = await rt.store.organizations.findBySlug(slug);
  const routed = full === undefined ? [] : service.streamsFor(full);
  if (routed.length === 0 && !alertsRouted)
    throw new LogsError(
      'logs.no_sink',
      `no logs.routes entry collects organization "${slug}": add a route to the configuration or name --sink file:<path>`,
    );
  return selected.filter((s) => routed.includes(s));
}

/**
 * `logs once` without `--sink`: one poll of every routed integration of the organization, backoff ignored, then
 * — when its routes carry `alerts` and the selection includes them — one delivery of its alert changes, as a
 * `logs run` round does. The alerts entry comes after the Duo streams', so their entries stay as they were.
 */
async function onceByRoutes(
  io: CliIo,
  rt: Runtime,
  opts: LogsOnceOptions,
  selected: StreamSelection,
): Promise<void> {
  const org = await findOrg(rt, opts.org);
  const service = await openConfigured(io, rt);
  try {
    const alertsRouted = (await service.alertOrgs()).some((o) => o.id === org.id);
    const streams = await routedStreams(rt, service, org.slug, selected.streams, alertsRouted);
    const reports: StreamReport[] = [];
    for (const t of streams.length === 0 ? [] : await routedTargets(service, [org.id]))
      reports.push(...(await service.poll(t.orgId, t.integrationId, { respectBackoff: false, streams })));
    const alerts = selected.alerts && alertsRouted;
    const alertReport = alerts ? await service.deliverAlerts(org.id, { respectBackoff: false }) : null;
    if (alertReport !== null) reports.push(alertReport);
    print(io, opts.json, summarize(alerts ? [...streams, 'alerts'] : streams, reports));
    reportFailures(io, reports);
  } finally {
    await service.close();
  }
}

interface Summary {
  stream: CheckpointStream;
  events: number;
  newest: string | null;
}

/** One line per stream: events summed over the organization's integrations, the newest event delivered. */
function summarize(streams: readonly CheckpointStream[], reports: readonly StreamReport[]): Summary[] {
  return streams.map((stream) => {
    const mine = reports.filter((r) => r.key.stream === stream);
    const events = mine.reduce((n, r) => n + (r.result?.events ?? 0), 0);
    const newest = mine.reduce<number | null>(
      (m, r) => (r.newestTs === null ? m : m === null ? r.newestTs : Math.max(m, r.newestTs)),
      null,
    );
    return { stream, events, newest: newest === null ? null : new Date(newest).toISOString() };
  });
}

function sinkFor(opts: { sink?: string; format: 'raw' | 'ecs' }): LogSink {
  if (opts.sink === undefined)
    throw new LogsError('logs.no_sink', 'name where the events go: --sink file:<path> or --sink stdout');
  const spec = parseSinkSpec(opts.sink, { format: opts.format, cwd: process.cwd() });
  return createSink(spec.name, spec.config);
}

async function findOrg(rt: Runtime, slug: string): Promise<{ id: string; slug: string }> {
  const org = await rt.store.organizations.findBySlug(slug);
  if (org === undefined) throw new LogsError('logs.org_not_found', `no organization "${slug}"`);
  const kinds = (await rt.store.integrations.list(org.id)).map((i) => i.kind);
  if (!kinds.includes('admin') && !kinds.includes('accounts'))
    throw new LogsError(
      'logs.no_integration',
      `organization "${slug}" has no Admin API (or Accounts API) integration to read logs with`,
    );
  return { id: org.id, slug: org.slug };
}

async function collectWith(
  rt: Runtime,
  sinks: readonly LogSink[],
  org: { id: string; slug: string },
  streams: readonly LogStream[],
  firstFrom: number,
  extra: { onPage?: (delivered: number) => void; signal?: AbortSignal; respectBackoff?: boolean } = {},
): Promise<StreamReport[]> {
  const repo = checkpointRepository(rt.store);
  const msp = rt.config.logs.msp.find((m) => m.org === org.slug);
  return collectOrg(
    {
      store: rt.store,
      repo,
      clientFor: (orgId, integrationId) => rt.clients.forIntegration(rt.store, orgId, integrationId),
      childrenOf: sharedState(rt.store, () => Date.now()).childrenOf,
      sinks,
      lock: createDeliveryLock(),
      now: () => Date.now(),
      owner: processOwner(),
    },
    org,
    {
      streams,
      firstFrom,
      ...(extra.signal === undefined ? {} : { signal: extra.signal }),
      ...(extra.respectBackoff === undefined ? {} : { respectBackoff: extra.respectBackoff }),
      ...(extra.onPage === undefined ? {} : { onPage: (_k, n) => extra.onPage?.(n) }),
      ...(msp === undefined ? {} : { includeAccounts: msp.include, excludeAccounts: msp.exclude }),
    },
  );
}

function reportFailures(io: CliIo, reports: readonly StreamReport[]): void {
  const failed = reports.filter((r) => r.outcome !== 'ok');
  for (const r of failed)
    io.stderr.write(
      `duowatch: ${r.key.stream}${r.key.accountId === '' ? '' : ` (account ${r.key.accountId})`}: ${r.outcome}: ${stripControl(r.error ?? '')}\n`,
    );
  if (failed.length > 0)
    throw new LogsError(
      'logs.streams_failed',
      `${String(failed.length)} of ${String(reports.length)} streams were not collected (their checkpoints did not move; run again)`,
    );
}

function print(io: CliIo, json: boolean | undefined, summary: readonly Summary[]): void {
  if (json === true) {
    printJson(io, { streams: summary });
    return;
  }
  for (const s of summary)
    io.stdout.write(
      `${s.stream.padEnd(19)} ${String(s.events).padStart(8)} events  newest ${s.newest ?? '-'}\n`,
    );
}

/** The Duo streams `--streams` selects, and whether the `alerts` routes are delivered too. */
interface StreamSelection {
  readonly streams: readonly LogStream[];
  readonly alerts: boolean;
}

/**
 * `--streams` of `logs once|run`. Without `--sink` (by the routes) it may name `alerts` beside Duo's streams,
 * and selects it when not given; with `--sink` only Duo's streams exist (`alerts` is refused as unknown).
 */
function selectStreams(opts: { streams?: string; sink?: string }): StreamSelection {
  if (opts.sink !== undefined) return { streams: parseStreams(opts.streams), alerts: false };
  if (opts.streams === undefined) return { streams: parseStreams(undefined), alerts: true };
  const named = opts.streams.split(',').map((n) => n.trim());
  const duoOnly = named.filter((n) => n !== 'alerts').join(',');
  const alerts = named.includes('alerts');
  return { streams: alerts && duoOnly === '' ? [] : parseStreams(duoOnly), alerts };
}

/** `duowatch logs once` (scripted use, kept exactly: docs/logs.md). */
export async function runOnce(io: CliIo, opts: LogsOnceOptions): Promise<void> {
  const selected = selectStreams(opts);
  const { streams } = selected;
  const now = Date.now();
  const firstFrom = Math.max(parseSince(opts.since ?? DEFAULT_LOOKBACK, now), windowFloor(now));
  if (opts.sink === undefined) {
    if (opts.since !== undefined)
      throw new LogsError(
        'logs.invalid_since',
        '--since needs --sink: routed streams start at logs.firstRunLookback (use `logs backfill` for history)',
      );
    await withRuntime(io, opts, (rt) => onceByRoutes(io, rt, opts, selected));
    return;
  }
  const sink = sinkFor(opts);
  await withRuntime(io, opts, async (rt) => {
    try {
      const org = await findOrg(rt, opts.org);
      await prepareSinks([sink], checkpointRepository(rt.store), () => Date.now());
      const reports = await collectWith(rt, [sink], org, streams, firstFrom);
      print(io, opts.json, summarize(streams, reports));
      reportFailures(io, reports);
    } finally {
      await sink.close();
    }
  });
}

/** The progress bar on stderr (events delivered, events/s); null with --no-progress. */
async function progressBar(io: CliIo, opts: LogsBackfillOptions) {
  const { SingleBar } = await import('cli-progress');
  const bar =
    opts.progress === false
      ? null
      : new SingleBar({
          stream: io.stderr,
          noTTYOutput: true,
          format: 'backfill {bar} {value} events delivered ({rate}/s)',
          hideCursor: false,
        });
  let delivered = 0;
  const started = Date.now();
  bar?.start(0, 0, { rate: '0' });
  return {
    onPage(n: number): void {
      delivered += n;
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      bar?.setTotal(delivered);
      bar?.update(delivered, { rate: Math.round(delivered / secs).toString() });
    },
    stop: () => bar?.stop(),
  };
}

/** `--rewind`: the organization's selected streams start again at `from` (events after it are sent again). */
async function rewind(
  rt: Runtime,
  orgId: string,
  streams: readonly LogStream[],
  from: number,
): Promise<void> {
  const repo = checkpointRepository(rt.store);
  for (const r of await repo.list(orgId))
    if ((streams as readonly string[]).includes(r.key.stream))
      await repo.reset(r.key, { from, boundary: [], newestTs: null, pending: null }, Date.now());
}

/**
 * `logs backfill` without `--sink`: through the organization's routes, like `logs once` (the routed sinks and
 * filters, the auth-log evidence feed, enrichment), from `--since` for streams without a checkpoint.
 */
async function backfillByRoutes(
  io: CliIo,
  rt: Runtime,
  opts: LogsBackfillOptions,
  selected: readonly LogStream[],
  firstFrom: number,
): Promise<void> {
  const org = await findOrg(rt, opts.org);
  const service = await openConfigured(io, rt);
  let progress: Awaited<ReturnType<typeof progressBar>> | null = null;
  try {
    const streams = await routedStreams(rt, service, org.slug, selected);
    if (opts.rewind === true) await rewind(rt, org.id, streams, firstFrom);
    progress = await progressBar(io, opts);
    const reports: StreamReport[] = [];
    for (const t of await routedTargets(service, [org.id]))
      reports.push(
        ...(await service.poll(t.orgId, t.integrationId, {
          respectBackoff: false,
          streams,
          firstFrom,
          onPage: (_key, n) => progress?.onPage(n),
        })),
      );
    progress.stop();
    print(io, opts.json, summarize(streams, reports));
    reportFailures(io, reports);
  } finally {
    progress?.stop();
    await service.close();
  }
}

/** `duowatch logs backfill`: like `once` from --since, with a progress bar on stderr. */
export async function runBackfill(io: CliIo, opts: LogsBackfillOptions): Promise<void> {
  const streams = parseStreams(opts.streams);
  const now = Date.now();
  const since = parseSince(opts.since ?? DEFAULT_LOOKBACK, now);
  const firstFrom = Math.max(since, windowFloor(now));
  if (firstFrom > since)
    io.stderr.write(`--since raised to ${new Date(firstFrom).toISOString()}: Duo keeps 180 days of logs\n`);
  if (opts.sink === undefined) {
    await withRuntime(io, opts, (rt) => backfillByRoutes(io, rt, opts, streams, firstFrom));
    return;
  }
  const sink = sinkFor(opts);
  await withRuntime(io, opts, async (rt) => {
    let progress: Awaited<ReturnType<typeof progressBar>> | null = null;
    try {
      const org = await findOrg(rt, opts.org);
      if (opts.rewind === true) await rewind(rt, org.id, streams, firstFrom);
      await prepareSinks([sink], checkpointRepository(rt.store), () => Date.now());
      progress = await progressBar(io, opts);
      const reports = await collectWith(rt, [sink], org, streams, firstFrom, {
        onPage: (n) => progress?.onPage(n),
      });
      progress.stop();
      print(io, opts.json, summarize(streams, reports));
      reportFailures(io, reports);
    } finally {
      progress?.stop();
      await sink.close();
    }
  });
}

function sleepUnless(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function logReports(io: CliIo, slug: string, reports: readonly StreamReport[]): void {
  for (const r of reports)
    if (r.outcome !== 'ok' && r.outcome !== 'skipped')
      io.stderr.write(
        `${new Date().toISOString()} ${slug} ${r.key.stream}: ${r.outcome}: ${stripControl(r.error ?? '')}\n`,
      );
}

/**
 * `logs run` without `--sink`: `serve`'s collection (routes, sinks, filters) without the rest of serve, and the
 * `alerts` routes: each round delivers the alert changes in the outbox (stored by any process) after their
 * checkpoints, leased per organization like a Duo stream.
 */
async function daemonByRoutes(
  io: CliIo,
  rt: Runtime,
  opts: LogsRunOptions,
  selected: StreamSelection,
  signal: AbortSignal,
  pause: () => Promise<void>,
): Promise<void> {
  const { streams } = selected;
  const service = await openConfigured(io, rt);
  try {
    if (!service.active)
      throw new LogsError(
        'logs.no_sink',
        'the configuration has no logs.routes: add routes (docs/logs.md) or name --sink file:<path>',
      );
    while (!signal.aborted) {
      const orgs = await rt.store.organizations.list();
      const wanted =
        opts.org === undefined || opts.org.length === 0
          ? null
          : orgs.filter((o) => opts.org?.includes(o.slug)).map((o) => o.id);
      const slugOf = new Map(orgs.map((o) => [o.id, o.slug]));
      for (const t of streams.length === 0 ? [] : await routedTargets(service, wanted)) {
        if (signal.aborted) break;
        const slug = slugOf.get(t.orgId) ?? t.orgId;
        try {
          logReports(
            io,
            slug,
            await service.poll(t.orgId, t.integrationId, { respectBackoff: true, signal, streams }),
          );
        } catch (error) {
          if (signal.aborted) break;
          // Whatever went wrong for one organization (its store rows, an MSP listing), the daemon goes on.
          io.stderr.write(
            `${new Date().toISOString()} ${slug}: ${stripControl(error instanceof Error ? error.message : String(error))}\n`,
          );
        }
      }
      for (const org of selected.alerts ? await service.alertOrgs() : []) {
        if (signal.aborted) break;
        if (wanted !== null && !wanted.includes(org.id)) continue;
        try {
          const report = await service.deliverAlerts(org.id, { respectBackoff: true, signal });
          if (report !== null) logReports(io, org.slug, [report]);
        } catch (error) {
          if (signal.aborted) break;
          io.stderr.write(
            `${new Date().toISOString()} ${org.slug} alerts: ${stripControl(error instanceof Error ? error.message : String(error))}\n`,
          );
        }
      }
      await pause();
    }
  } finally {
    await service.close();
  }
}

/** `duowatch logs run`: a poll every interval for every selected organization until SIGINT/SIGTERM. */
export async function runDaemon(io: CliIo, opts: LogsRunOptions): Promise<void> {
  const selected = selectStreams(opts);
  const { streams } = selected;
  const intervalMs = Math.round(Number(opts.interval ?? '120') * 1000);
  if (!Number.isFinite(intervalMs) || intervalMs < 1000)
    throw new LogsError(
      'logs.invalid_option',
      `--interval must be a number of seconds ≥ 1, not ${JSON.stringify(opts.interval)}`,
    );
  const rounds = opts.rounds === undefined ? Infinity : Number(opts.rounds);
  if (!(rounds >= 1) || !Number.isInteger(rounds === Infinity ? 1 : rounds))
    throw new LogsError(
      'logs.invalid_option',
      `--rounds must be a whole number ≥ 1, not ${JSON.stringify(opts.rounds)}`,
    );
  const stop = new AbortController();
  let done = 0;
  // After the last round the daemon stops as if interrupted (no wait for the next interval).
  const roundDone = (): void => {
    done += 1;
    if (done >= rounds) stop.abort(new Error('rounds done'));
  };
  const onSignal = (): void => stop.abort(new Error('stopped by signal'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pause = () => {
    roundDone();
    return sleepUnless(stop.signal, intervalMs);
  };
  if (opts.sink === undefined) {
    try {
      await withRuntime(io, opts, (rt) => daemonByRoutes(io, rt, opts, selected, stop.signal, pause));
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return;
  }
  const sink = sinkFor(opts);
  const firstFrom = parseSince(DEFAULT_LOOKBACK, Date.now());
  try {
    await withRuntime(io, opts, async (rt) => {
      await prepareSinks([sink], checkpointRepository(rt.store), () => Date.now());
      while (!stop.signal.aborted) {
        const orgs: Array<{ id: string; slug: string }> = [];
        for (const org of await rt.store.organizations.list()) {
          if (opts.org !== undefined && opts.org.length > 0 && !opts.org.includes(org.slug)) continue;
          const kinds = (await rt.store.integrations.list(org.id)).map((i) => i.kind);
          if (kinds.includes('admin') || kinds.includes('accounts'))
            orgs.push({ id: org.id, slug: org.slug });
        }
        for (const org of orgs) {
          try {
            const reports = await collectWith(rt, [sink], org, streams, firstFrom, {
              signal: stop.signal,
              respectBackoff: true,
            });
            logReports(io, org.slug, reports);
          } catch (error) {
            if (stop.signal.aborted) break;
            // Whatever went wrong for one organization (its store rows, an MSP listing), the daemon goes on.
            io.stderr.write(
              `${new Date().toISOString()} ${org.slug}: ${stripControl(error instanceof Error ? error.message : String(error))}\n`,
            );
          }
        }
        await pause();
      }
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sink.close();
  }
}

/** `duowatch logs status`. */
export async function runStatus(io: CliIo, opts: GlobalOptions & { org?: string }): Promise<void> {
  await withRuntime(io, opts, async (rt) => {
    const repo = checkpointRepository(rt.store);
    const orgs = new Map<string, string>();
    for (const o of await rt.store.organizations.list()) orgs.set(o.id, o.slug);
    let orgId: string | undefined;
    if (opts.org !== undefined) {
      orgId = (await findOrg(rt, opts.org)).id;
    }
    const now = Date.now();
    const shared = sharedState(rt.store, () => now);
    const rates = await shared.rates(now, orgId);
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    const streams = (await repo.list(orgId)).map((r) => {
      const v = streamView(r, orgs.get(r.key.orgId) ?? r.key.orgId, rates.get(rateKey(r.key)) ?? 0, now);
      return {
        org: v.org,
        integration: v.integration,
        account: v.account === '' ? null : v.account,
        stream: v.stream,
        status: v.status,
        newest: iso(v.newest),
        lagSeconds: v.lagSeconds,
        backlogEstimate: v.backlogEstimate,
        eventsPerSecond: v.eventsPerSecond,
        events: v.eventsTotal,
        lastPoll: iso(v.lastPoll),
        lastSuccess: iso(v.lastSuccess),
        nextAttempt: iso(v.nextAttempt),
        lastError: v.lastError,
        inProgress: v.windowInProgress,
      };
    });
    // Per sink: the health the last process using it stored, and the exactly-once position, by name.
    const positions = new Map((await repo.sinkPositions()).map((p) => [p.sink, p]));
    const states = new Map((await shared.sinks()).map((s) => [s.sink, s]));
    const sinks = [...new Set([...states.keys(), ...positions.keys()])].sort().map((name) => {
      const st = states.get(name);
      const pos = positions.get(name);
      return {
        sink: name,
        type: st?.type ?? null,
        queueEvents: st?.queueEvents ?? null,
        queueFull: st?.queueFull ?? null,
        lastAck: iso(st?.lastAck ?? null),
        lastError: st?.lastError ?? null,
        seen: iso(st?.updated ?? null),
        position: pos?.position ?? null,
        updated: pos?.updated ?? null,
      };
    });
    if (opts.json === true) {
      printJson(io, { streams, sinks });
      return;
    }
    const col = (v: string | number | null, w: number): string => (v === null ? '-' : String(v)).padEnd(w);
    io.stdout.write(
      'ORG        STREAM              STATUS       EVENTS    NEWEST                    LAG     BACKLOG  EV/S     LAST ERROR\n',
    );
    for (const s of streams)
      io.stdout.write(
        `${s.org.padEnd(10)} ${s.stream.padEnd(19)} ${s.status.padEnd(12)} ${String(s.events).padStart(8)}  ${col(s.newest, 25)} ${col(s.lagSeconds === null ? null : `${String(s.lagSeconds)}s`, 7)} ${col(s.backlogEstimate, 8)} ${col(s.eventsPerSecond, 8)} ${stripControl(s.lastError ?? '')}\n`,
      );
    if (sinks.length > 0)
      io.stdout.write('SINK                 TYPE           QUEUE     LAST ACK                  LAST ERROR\n');
    for (const k of sinks)
      io.stdout.write(
        `${k.sink.padEnd(20)} ${col(k.type, 14)} ${col(k.queueFull === true ? `${String(k.queueEvents)} FULL` : k.queueEvents, 9)} ${col(k.lastAck, 25)} ${stripControl(k.lastError ?? '')}${k.position === null ? '' : ` (position ${stripControl(k.position)})`}\n`,
      );
  });
}

/** `logs inventory --org X`: the same snapshots serve takes daily, now. Exit 3 when every kind failed. */
export async function runInventory(io: CliIo, opts: GlobalOptions & { org: string }): Promise<void> {
  const { inventoryOrg } = await import('../../inventory-org.js');
  await withRuntime(io, opts, async (rt) => {
    const org = await findOrg(rt, opts.org);
    const msp = rt.config.logs.msp.find((m) => m.org === org.slug);
    const results = await inventoryOrg(
      {
        store: rt.store,
        clientFor: (o, i) => rt.clients.forIntegration(rt.store, o, i),
        childrenOf: sharedState(rt.store, () => Date.now()).childrenOf,
        now: () => Date.now(),
      },
      org.id,
      msp === undefined ? {} : { msp },
    );
    const rows = results.map((r) => ({
      integration: r.integrationId,
      account: r.accountId,
      kind: r.kind,
      count: r.count,
      truncated: r.truncated,
      error: r.error,
    }));
    if (opts.json === true) printJson(io, { snapshots: rows });
    else
      for (const r of rows)
        io.stdout.write(
          `${r.kind}${r.account === '' ? '' : ` (account ${r.account})`}: ${r.error === null ? `${String(r.count)}${r.truncated ? ' (truncated)' : ''}` : `failed: ${r.error}`}\n`,
        );
    if (rows.length > 0 && rows.every((r) => r.error !== null))
      throw new LogsError('logs.streams_failed', `no inventory could be read for ${org.slug}`);
  });
}
