import { join } from 'node:path';
import type { AlertOutbox } from '../alerts/index.js';
import type { AlertRaiser, LogEventHub } from '../app/index.js';
import type { DuoClient } from '../duo/index.js';
import type { JobTarget } from '../scheduler/index.js';
import type { CollectedAuthLog } from '../services/index.js';
import type { Integration, Organization, Store } from '../store/index.js';
import { deliverAlerts } from './alert-stream.js';
import {
  checkpointRepository,
  type CheckpointRepository,
  type CheckpointStream,
  type StreamRecord,
} from './checkpoint.repository.js';
import { collectOrg, processOwner, type StreamReport } from './collect-org.js';
import { createDeliveryLock } from './delivery-lock.js';
import { evidenceFeed } from './evidence-feed.js';
import { enrichmentFor, indexInventory, type InventoryIndex } from './enrich.js';
import { inventoryOrg } from './inventory-org.js';
import { inventoryStore, type InventoryResult, type InventorySnapshot } from './inventory.js';
import { sinkSettings, type LogsConfig } from './logs-config.js';
import { prepareSinks } from './prepare-sinks.js';
import { planRoutes, type RoutePlan } from './routing.js';
import { rateKey, sharedState } from './shared-state.js';
import { createSink, type LogSink, type SinkError } from './sinks/index.js';
import { LOG_STREAMS, type LogStream } from './streams.js';
import { parseSince, secondOf, windowEnd } from './windows.js';

/** The organization `serve` creates for the emulated demo tenant (runtime's DEMO_SLUG). */
export const DEMO_ORG = 'demo';

export interface LogsServiceDeps {
  readonly config: LogsConfig;
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly store: Store;
  clientFor(
    orgId: string,
    integrationId: string,
    rates: { log: number; auth_log: number } | null,
  ): Promise<DuoClient>;
  readonly hub?: LogEventHub;
  readonly alerts?: AlertRaiser;
  /** The demo tenant runs: its organization also goes to the data-dir file sink, all six streams. */
  readonly demo: boolean;
  readonly now: () => number;
  readonly onSinkError?: (error: SinkError, context: { queued: number; attempt: number }) => void;
  /** The alert outbox the `alerts` routes read (absent: alerts are not delivered by this process). */
  readonly outbox?: AlertOutbox;
}

/** One stream as the REST API, the Logs page and /metrics show it. */
export interface StreamView {
  readonly org: string;
  readonly integration: string;
  readonly account: string;
  readonly stream: CheckpointStream;
  readonly status: string;
  readonly needsGrant: boolean;
  readonly eventsTotal: number;
  readonly newest: number | null;
  /** Seconds between the newest delivered event and now (Duo's own two-minute delay included). */
  readonly lagSeconds: number | null;
  /** Events waiting in Duo, estimated from the recent rate over the unread part of the window; null unknown. */
  readonly backlogEstimate: number | null;
  readonly eventsPerSecond: number;
  readonly lastError: string | null;
  readonly lastPoll: number | null;
  readonly lastSuccess: number | null;
  readonly nextAttempt: number | null;
  readonly windowInProgress: boolean;
}

export interface SinkView {
  readonly name: string;
  readonly type: string;
  readonly guarantee: string;
  readonly queueEvents: number;
  readonly queueFull: boolean;
  readonly lastAck: number | null;
  readonly stats: Readonly<Record<string, number>>;
}

export interface LogsService {
  readonly repo: CheckpointRepository;
  readonly plan: RoutePlan;
  /** Every sink `serve` built, configured ones by name, and the demo's file sink. */
  readonly sinks: ReadonlyMap<string, LogSink>;
  readonly demoFile: string | null;
  /** Whether `serve` collects anything (a route, or the demo). */
  readonly active: boolean;
  /** One scheduler target per (collected organization, Admin or Accounts integration). */
  targets(): Promise<JobTarget[]>;
  collects(org: { readonly slug: string }): boolean;
  poll(
    orgId: string,
    integrationId: string,
    opts: {
      respectBackoff: boolean;
      signal?: AbortSignal;
      streams?: readonly LogStream[];
      /** Where a stream without a checkpoint starts (`logs backfill --since`); default the first-run lookback. */
      firstFrom?: number;
      /** After every committed page (the backfill's progress bar). */
      onPage?: (key: StreamRecord['key'], delivered: number) => void;
    },
  ): Promise<StreamReport[]>;
  /** The routed streams of an organization (what `poll` reads); empty when it is not collected. */
  streamsFor(org: Organization): LogStream[];
  streams(orgId?: string): Promise<StreamView[]>;
  sinkViews(): SinkView[];
  /** Stores every sink's queue depth, last acknowledgement and last error for `logs status` in any process. */
  saveSinkStates(): Promise<void>;
  /** The organizations whose routes carry `alerts` (their alert changes go to those routes' sinks). */
  alertOrgs(): Promise<Organization[]>;
  /**
   * Delivers one organization's alert changes from the outbox after its `alerts` checkpoint to the sinks of
   * its `alerts` routes (src/logs/alert-stream.ts); null when no route carries them or there is no outbox.
   */
  deliverAlerts(
    orgId: string,
    opts: { respectBackoff: boolean; signal?: AbortSignal },
  ): Promise<StreamReport | null>;
  /** Users, phones and endpoints snapshots of one integration's tenants (own, or the selected MSP children). */
  inventory(orgId: string, integrationId: string, signal?: AbortSignal): Promise<InventoryResult[]>;
  /** The newest inventory snapshot per tenant and kind (with items; the REST route shows counts only). */
  snapshots(orgId: string): Promise<InventorySnapshot[]>;
  /** The collected authentication stream as the auth-log evidence poll's source. */
  readonly collectedAuthLog: CollectedAuthLog;
  close(): Promise<void>;
}

/** A stream's row as every view shows it; `rate` is its delivered events per second (shared-state.ts). */
export function streamView(r: StreamRecord, org: string, rate: number, now: number): StreamView {
  // The alerts stream has no window to estimate over (its backlog is rows of the outbox, not time).
  const unread =
    r.newestTs === null || r.key.stream === 'alerts' ? null : Math.max(0, windowEnd(now) - r.newestTs);
  return {
    org,
    integration: r.key.integrationId,
    account: r.key.accountId,
    stream: r.key.stream,
    status: r.status,
    needsGrant: r.status === 'needs_grant',
    eventsTotal: r.eventsTotal,
    newest: r.newestTs,
    lagSeconds: r.newestTs === null ? null : Math.max(0, Math.round((now - r.newestTs) / 1000)),
    backlogEstimate: unread === null || rate === 0 ? null : Math.round((rate * unread) / 1000),
    eventsPerSecond: Math.round(rate * 1000) / 1000,
    lastError: r.lastError,
    lastPoll: r.lastPollMs,
    lastSuccess: r.lastSuccessMs,
    nextAttempt: r.nextAttemptMs,
    windowInProgress: r.checkpoint.pending !== null,
  };
}

export function budgetFor(config: LogsConfig, org: Organization, integration: Integration): number | null {
  // The most specific entry wins: this integration, then this organization, then `*`.
  const rank = (b: LogsConfig['budgets'][number]): number => {
    const orgOk = b.org === '*' || b.org === org.slug;
    if (!orgOk) return -1;
    if (b.integration !== undefined)
      return b.integration === integration.id || b.integration === integration.label ? 3 : -1;
    return b.org === '*' ? 1 : 2;
  };
  let best: { rank: number; rpm: number } | null = null;
  for (const b of config.budgets) {
    const r = rank(b);
    if (r >= 0 && (best === null || r > best.rank)) best = { rank: r, rpm: b.requestsPerMinute };
  }
  return best?.rpm ?? null;
}

/** Builds the configured sinks, restores exactly-once ones, and offers polls and views to jobs and routes. */
export async function openLogsService(deps: LogsServiceDeps): Promise<LogsService> {
  const repo = checkpointRepository(deps.store);
  const shared = sharedState(deps.store, deps.now);
  const sinkErrors = new Map<string, string>();
  const sinkAcks = new Map<string, number>();
  // Every sink's last acknowledged send and last refusal, whatever its kind (the reliable wrapper has its own
  // counters; a file or stdout sink has none), for `logs status` and the sink views.
  const watched = (sink: LogSink): LogSink => ({
    name: sink.name,
    guarantee: sink.guarantee,
    async send(batch, signal) {
      try {
        await sink.send(batch, signal);
      } catch (error) {
        sinkErrors.set(sink.name, error instanceof Error ? error.message : String(error));
        throw error;
      }
      sinkAcks.set(sink.name, deps.now());
    },
    ...(sink.position === undefined ? {} : { position: () => sink.position?.() ?? Promise.resolve('') }),
    ...(sink.restore === undefined
      ? {}
      : { restore: (p: string | null) => sink.restore?.(p) ?? Promise.resolve() }),
    ...(sink.stats === undefined ? {} : { stats: () => sink.stats?.() ?? {} }),
    close: () => sink.close(),
  });
  const sinkDeps = {
    dataDir: deps.dataDir,
    clock: deps.now,
    ...(deps.alerts === undefined ? {} : { alerts: deps.alerts }),
    onError: (error: SinkError, context: { queued: number; attempt: number }) => {
      sinkErrors.set(error.sink, error.message);
      deps.onSinkError?.(error, context);
    },
  };
  const named = new Map<string, LogSink>();
  const types = new Map<string, string>();
  for (const [name, configured] of Object.entries(deps.config.sinks)) {
    named.set(name, watched(createSink(name, sinkSettings(configured), sinkDeps)));
    types.set(name, configured.type);
  }
  const all = new Map(named);
  let demoFile: string | null = null;
  let demoSink: LogSink | null = null;
  if (deps.demo) {
    demoFile = join(deps.dataDir, 'logs', 'demo-duo-events.ndjson');
    demoSink = watched(
      createSink(`file:${demoFile}`, {
        type: 'file',
        path: demoFile,
        format: 'raw',
        rotate: { maxBytes: 64 * 1024 * 1024, maxAgeHours: 0, gzip: true, maxFiles: 5 },
      }),
    );
    all.set(demoSink.name, demoSink);
    types.set(demoSink.name, 'file');
  }
  // Exactly-once sinks go back to their committed position before anything is sent (the file sink cuts what
  // a crash left uncommitted).
  try {
    await prepareSinks([...all.values()], repo, deps.now);
  } catch (error) {
    // E.g. `sink.locked`: release the locks the sinks opened so far took, so the holder is named truly later.
    for (const sink of all.values()) await sink.close().catch(() => undefined);
    throw error;
  }

  const plan = planRoutes(deps.config.routes, named);
  const lock = createDeliveryLock();
  const owner = processOwner();
  const envBudget =
    deps.env['DUOWATCH_DUO_LOG_BUDGET'] !== undefined && deps.env['DUOWATCH_DUO_LOG_BUDGET'] !== '';
  const isDemo = (org: { readonly slug: string }) => demoSink !== null && org.slug === DEMO_ORG;
  const collects = (org: { readonly slug: string }) => isDemo(org) || plan.collects(org.slug);
  const streamsOf = (org: Organization): LogStream[] =>
    isDemo(org) ? [...LOG_STREAMS] : plan.streams(org.slug);
  const feed = evidenceFeed(deps.store);
  const enrich = deps.config.inventory.enrich;
  // The newest snapshots of each of the organization's tenants, read once per poll.
  const indexesOf = async (orgId: string): Promise<Map<string, InventoryIndex>> => {
    const out = new Map<string, InventoryIndex>();
    if (!enrich.users && !enrich.hosts) return out;
    const byTenant = new Map<string, Awaited<ReturnType<ReturnType<typeof inventoryStore>['latest']>>>();
    for (const s of await inventoryStore(deps.store).latest(orgId)) {
      const k = `${s.integrationId ?? ''}/${s.accountId}`;
      byTenant.set(k, [...(byTenant.get(k) ?? []), s]);
    }
    for (const [k, list] of byTenant) out.set(k, indexInventory(list, enrich));
    return out;
  };
  // The same sink with each event carrying what the tenant's inventory says (only ECS writes it).
  const enriching = (sink: LogSink, index: InventoryIndex): LogSink => ({
    name: sink.name,
    guarantee: sink.guarantee,
    send: (batch, signal) =>
      sink.send(
        batch.map((e) => {
          if (e.stream === 'alerts') return e;
          const enrichment = enrichmentFor(e, index);
          return enrichment === undefined ? e : { ...e, enrichment };
        }),
        signal,
      ),
    ...(sink.position === undefined ? {} : { position: () => sink.position?.() ?? Promise.resolve('') }),
    ...(sink.restore === undefined
      ? {}
      : { restore: (p: string | null) => sink.restore?.(p) ?? Promise.resolve() }),
    ...(sink.stats === undefined ? {} : { stats: () => sink.stats?.() ?? {} }),
    close: () => sink.close(),
  });
  const sinksOf = (
    org: Organization,
    stream: LogStream,
    key: StreamRecord['key'],
    feeds: boolean,
    indexes: ReadonlyMap<string, InventoryIndex>,
  ): LogSink[] => {
    const index = indexes.get(`${key.integrationId}/${key.accountId}`);
    const sinks = routedSinks(org, stream, key, feeds);
    return index === undefined ? sinks : sinks.map((s) => enriching(s, index));
  };
  const routedSinks = (
    org: Organization,
    stream: LogStream,
    key: StreamRecord['key'],
    feeds: boolean,
  ): LogSink[] => [
    ...(isDemo(org) && demoSink !== null ? [demoSink] : []),
    ...plan.sinksFor(org.slug, stream),
    // The integration's own authentication stream also feeds the auth-log evidence (not MSP children).
    ...(feeds && stream === 'auth' && key.accountId === '' ? [feed.sinkFor(org.id, key.integrationId)] : []),
  ];
  // An MSP's child accounts, asked of the Accounts API at most once an hour per Accounts integration, by
  // whichever process (serve, `logs run`, `logs once`) asks first: the list is kept in the database.
  const childrenOf = shared.childrenOf;
  const sinkViews = (): SinkView[] =>
    [...all.values()].map((s): SinkView => {
      const stats = s.stats?.() ?? {};
      return {
        name: s.name,
        type: types.get(s.name) ?? 'unknown',
        guarantee: s.guarantee,
        queueEvents: stats['queueEvents'] ?? 0,
        queueFull: (stats['queueFull'] ?? 0) > 0,
        // A sink that counts its receiver's acknowledgements says when; a send that resolved is one otherwise.
        lastAck:
          stats['lastAckAt'] !== undefined
            ? stats['lastAckAt'] > 0
              ? stats['lastAckAt']
              : null
            : (sinkAcks.get(s.name) ?? null),
        stats,
      };
    });
  const saveSinkStates = (): Promise<void> =>
    shared.saveSinks(
      sinkViews().map((v) => ({
        sink: v.name,
        type: v.type,
        queueEvents: v.queueEvents,
        queueFull: v.queueFull,
        lastAck: v.lastAck,
        lastError: sinkErrors.get(v.name) ?? null,
      })),
      deps.now(),
    );
  const clientWithBudget = async (orgId: string, integrationId: string): Promise<DuoClient> => {
    const org = (await deps.store.organizations.list()).find((o) => o.id === orgId);
    const integration = (await deps.store.integrations.list(orgId)).find((i) => i.id === integrationId);
    const rpm =
      envBudget || org === undefined || integration === undefined
        ? null
        : budgetFor(deps.config, org, integration);
    return deps.clientFor(orgId, integrationId, rpm === null ? null : { log: rpm, auth_log: rpm });
  };

  const orgs = async (): Promise<Organization[]> => (await deps.store.organizations.list()).filter(collects);

  return {
    repo,
    plan,
    sinks: all,
    demoFile,
    active: deps.config.routes.length > 0 || demoSink !== null,
    collects,
    streamsFor: (org) => (collects(org) ? streamsOf(org) : []),
    async targets() {
      const out: JobTarget[] = [];
      for (const org of await orgs())
        for (const i of await deps.store.integrations.list(org.id))
          if (i.kind === 'admin' || i.kind === 'accounts') out.push({ orgId: org.id, integrationId: i.id });
      return out;
    },
    async poll(orgId, integrationId, opts) {
      const org = (await deps.store.organizations.list()).find((o) => o.id === orgId);
      if (org === undefined || !collects(org)) return [];
      const integration = (await deps.store.integrations.list(orgId)).find((i) => i.id === integrationId);
      if (integration === undefined) return [];
      const rpm = envBudget ? null : budgetFor(deps.config, org, integration);
      const msp = deps.config.msp.find((m) => m.org === org.slug);
      const now = deps.now();
      // On a whole second: the evidence poll's windows start on whole seconds, so coverage compares cleanly.
      const firstFrom = secondOf(opts.firstFrom ?? parseSince(deps.config.firstRunLookback, now));
      const streams = streamsOf(org).filter((s) => opts.streams === undefined || opts.streams.includes(s));
      const authKey = { orgId: org.id, integrationId, accountId: '', stream: 'auth' as const };
      const feeds = integration.kind === 'admin' && streams.includes('auth');
      if (feeds) {
        // Complete from the window the collector reads next: a new stream from its first window, an existing
        // one from the second after its newest delivered event (those before were not stored here).
        const existing = await repo.get(authKey);
        await feed.start(
          org.id,
          integrationId,
          existing === undefined ? firstFrom : existing.checkpoint.from + 1000,
        );
      }
      const indexes = await indexesOf(org.id);
      const reports = await collectOrg(
        {
          store: deps.store,
          repo,
          clientFor: (o, i) => deps.clientFor(o, i, rpm === null ? null : { log: rpm, auth_log: rpm }),
          childrenOf,
          sinks: [],
          sinksFor: (stream, key) => sinksOf(org, stream, key, feeds, indexes),
          lock,
          ...(deps.hub === undefined ? {} : { hub: deps.hub }),
          now: deps.now,
          owner,
        },
        { id: org.id, slug: org.slug },
        {
          streams,
          firstFrom,
          integrationIds: [integrationId],
          respectBackoff: opts.respectBackoff,
          ...(opts.signal === undefined ? {} : { signal: opts.signal }),
          ...(opts.onPage === undefined ? {} : { onPage: opts.onPage }),
          ...(msp === undefined ? {} : { includeAccounts: msp.include, excludeAccounts: msp.exclude }),
        },
      );
      await saveSinkStates();
      if (feeds) {
        const auth = reports.find((r) => r.key.stream === 'auth' && r.key.accountId === '');
        const record = auth?.outcome === 'ok' ? await repo.get(authKey) : undefined;
        // The window this poll read is delivered whole only when no part of it is left pending.
        if (record !== undefined && record.checkpoint.pending === null)
          await feed.delivered(org.id, integrationId, windowEnd(now), deps.now());
      }
      return reports;
    },
    async inventory(orgId, integrationId, signal) {
      const org = (await deps.store.organizations.list()).find((o) => o.id === orgId);
      if (org === undefined || !collects(org)) return [];
      const msp = deps.config.msp.find((m) => m.org === org.slug);
      return inventoryOrg(
        { store: deps.store, clientFor: clientWithBudget, childrenOf, now: deps.now },
        orgId,
        {
          integrationIds: [integrationId],
          ...(msp === undefined ? {} : { msp }),
          ...(signal === undefined ? {} : { signal }),
        },
      );
    },
    snapshots: (orgId) => inventoryStore(deps.store).latest(orgId),
    async alertOrgs() {
      return (await deps.store.organizations.list()).filter(
        (o) => plan.sinksFor(o.slug, 'alerts').length > 0,
      );
    },
    async deliverAlerts(orgId, opts) {
      if (deps.outbox === undefined) return null;
      const org = (await deps.store.organizations.list()).find((o) => o.id === orgId);
      if (org === undefined) return null;
      const sinks = plan.sinksFor(org.slug, 'alerts');
      if (sinks.length === 0) return null;
      const report = await deliverAlerts(
        { repo, outbox: deps.outbox, sinks, lock, now: deps.now, owner },
        { id: org.id, slug: org.slug },
        {
          firstFrom: parseSince(deps.config.firstRunLookback, deps.now()),
          respectBackoff: opts.respectBackoff,
          ...(opts.signal === undefined ? {} : { signal: opts.signal }),
        },
      );
      await saveSinkStates();
      return report;
    },
    collectedAuthLog: {
      async authLogsFor(orgId, integrationId, window) {
        const org = (await deps.store.organizations.list()).find((o) => o.id === orgId);
        if (org === undefined || !streamsOf(org).includes('auth')) return null;
        const read = await feed.reader(orgId, integrationId, window, deps.now());
        if (read === null) return null;
        return (q) =>
          read({
            mintimeMs: q.mintimeMs,
            maxtimeMs: q.maxtimeMs,
            pageSize: q.pageSize,
            ...(q.signal === undefined ? {} : { signal: q.signal }),
          }) as ReturnType<NonNullable<Awaited<ReturnType<CollectedAuthLog['authLogsFor']>>>>;
      },
    },
    async streams(orgId) {
      const now = deps.now();
      const slugs = new Map((await deps.store.organizations.list()).map((o) => [o.id, o.slug]));
      const rates = await shared.rates(now, orgId);
      return (await repo.list(orgId)).map((r) =>
        streamView(r, slugs.get(r.key.orgId) ?? r.key.orgId, rates.get(rateKey(r.key)) ?? 0, now),
      );
    },
    sinkViews,
    saveSinkStates,
    async close() {
      for (const s of all.values()) await s.close();
    },
  };
}
