import { printJson, type CliIo, type GlobalOptions } from '../../../cli/io.js';
import { withRuntime } from '../../../cli/runtime.js';
import type { Runtime } from '../../../runtime/index.js';
import { stripControl } from '../../../shared/index.js';
import { checkpointRepository } from '../../checkpoint.repository.js';
import { collectOrg, processOwner, type StreamReport } from '../../collect-org.js';
import { createDeliveryLock } from '../../delivery-lock.js';
import { LogsError } from '../../errors.js';
import { prepareSinks } from '../../prepare-sinks.js';
import { createSink, parseSinkSpec, type LogSink } from '../../sinks/index.js';
import { parseStreams, type LogStream } from '../../streams.js';
import { parseSince, windowFloor } from '../../windows.js';
import type { LogsBackfillOptions, LogsOnceOptions, LogsRunOptions } from './command.js';

const DEFAULT_LOOKBACK = '24h';

interface Summary {
  stream: LogStream;
  events: number;
  newest: string | null;
}

/** One line per stream: events summed over the organization's integrations, the newest event delivered. */
function summarize(streams: readonly LogStream[], reports: readonly StreamReport[]): Summary[] {
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
  return collectOrg(
    {
      store: rt.store,
      repo,
      clientFor: (orgId, integrationId) => rt.clients.forIntegration(rt.store, orgId, integrationId),
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

/** `duowatch logs once` (scripted use, kept exactly: docs/logs.md). */
export async function runOnce(io: CliIo, opts: LogsOnceOptions): Promise<void> {
  const streams = parseStreams(opts.streams);
  const now = Date.now();
  const firstFrom = Math.max(parseSince(opts.since ?? DEFAULT_LOOKBACK, now), windowFloor(now));
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

/** `duowatch logs backfill`: like `once` from --since, with a progress bar on stderr. */
export async function runBackfill(io: CliIo, opts: LogsBackfillOptions): Promise<void> {
  const streams = parseStreams(opts.streams);
  const now = Date.now();
  const since = parseSince(opts.since ?? DEFAULT_LOOKBACK, now);
  const firstFrom = Math.max(since, windowFloor(now));
  if (firstFrom > since)
    io.stderr.write(`--since raised to ${new Date(firstFrom).toISOString()}: Duo keeps 180 days of logs\n`);
  const sink = sinkFor(opts);
  await withRuntime(io, opts, async (rt) => {
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
    try {
      const org = await findOrg(rt, opts.org);
      const repo = checkpointRepository(rt.store);
      if (opts.rewind === true)
        for (const r of await repo.list(org.id))
          if (streams.includes(r.key.stream))
            await repo.reset(
              r.key,
              { from: firstFrom, boundary: [], newestTs: null, pending: null },
              Date.now(),
            );
      await prepareSinks([sink], repo, () => Date.now());
      let delivered = 0;
      const started = Date.now();
      bar?.start(0, 0, { rate: '0' });
      const reports = await collectWith(rt, [sink], org, streams, firstFrom, {
        onPage: (n) => {
          delivered += n;
          const secs = Math.max(0.001, (Date.now() - started) / 1000);
          bar?.setTotal(delivered);
          bar?.update(delivered, { rate: Math.round(delivered / secs).toString() });
        },
      });
      bar?.stop();
      print(io, opts.json, summarize(streams, reports));
      reportFailures(io, reports);
    } finally {
      bar?.stop();
      await sink.close();
    }
  });
}

/** `duowatch logs run`: a poll every interval for every selected organization until SIGINT/SIGTERM. */
export async function runDaemon(io: CliIo, opts: LogsRunOptions): Promise<void> {
  const streams = parseStreams(opts.streams);
  const intervalMs = Math.round(Number(opts.interval ?? '120') * 1000);
  if (!Number.isFinite(intervalMs) || intervalMs < 1000)
    throw new LogsError(
      'logs.invalid_since',
      `--interval must be a number of seconds ≥ 1, not ${JSON.stringify(opts.interval)}`,
    );
  const sink = sinkFor(opts);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(new Error('stopped by signal'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
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
            for (const r of reports)
              if (r.outcome !== 'ok' && r.outcome !== 'skipped')
                io.stderr.write(
                  `${new Date().toISOString()} ${org.slug} ${r.key.stream}: ${r.outcome}: ${stripControl(r.error ?? '')}\n`,
                );
          } catch (error) {
            if (stop.signal.aborted) break;
            // Whatever went wrong for one organization (its store rows, an MSP listing), the daemon goes on.
            io.stderr.write(
              `${new Date().toISOString()} ${org.slug}: ${stripControl(error instanceof Error ? error.message : String(error))}\n`,
            );
          }
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs);
          stop.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
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
    const records = await repo.list(orgId);
    const streams = records.map((r) => ({
      org: orgs.get(r.key.orgId) ?? r.key.orgId,
      integration: r.key.integrationId,
      account: r.key.accountId === '' ? null : r.key.accountId,
      stream: r.key.stream,
      status: r.status,
      newest: r.newestTs === null ? null : new Date(r.newestTs).toISOString(),
      lagSeconds: r.newestTs === null ? null : Math.max(0, Math.round((now - r.newestTs) / 1000)),
      events: r.eventsTotal,
      lastPoll: r.lastPollMs === null ? null : new Date(r.lastPollMs).toISOString(),
      lastSuccess: r.lastSuccessMs === null ? null : new Date(r.lastSuccessMs).toISOString(),
      nextAttempt: r.nextAttemptMs === null ? null : new Date(r.nextAttemptMs).toISOString(),
      lastError: r.lastError,
      inProgress: r.checkpoint.pending !== null,
    }));
    const sinks = await repo.sinkPositions();
    if (opts.json === true) {
      printJson(io, { streams, sinks });
      return;
    }
    io.stdout.write(
      'ORG        STREAM              STATUS       EVENTS    NEWEST                    LAG     LAST ERROR\n',
    );
    for (const s of streams)
      io.stdout.write(
        `${s.org.padEnd(10)} ${s.stream.padEnd(19)} ${s.status.padEnd(12)} ${String(s.events).padStart(8)}  ${(s.newest ?? '-').padEnd(25)} ${(s.lagSeconds === null ? '-' : `${String(s.lagSeconds)}s`).padEnd(7)} ${stripControl(s.lastError ?? '')}\n`,
      );
    for (const k of sinks) io.stdout.write(`sink ${k.sink}: position ${k.position} at ${k.updated}\n`);
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
        childrenOf: (_i, parent, signal) => parent.accounts.list(signal === undefined ? {} : { signal }),
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
