import type { CapabilityContext, CollectedEvent, StartedCapability } from '../app/index.js';
import { storeBaselines } from './baseline.repository.js';
import { createEngine, type DetectEngine, type Detection } from './engine.js';
import { openGeo, noGeo, type GeoLookup } from './geo.js';
import { catalogue } from './rules/index.js';
import { demoScenarios } from './demo-scenarios.js';

/** The demo organization's slug (runtime's DEMO_SLUG; repeated so the detect folder imports no runtime). */
const DEMO_SLUG = 'demo';

/** What a detection becomes for the shared alert raiser (stored, folded by `dedupeKey`, notified). */
export function toNewAlert(d: Detection, demoSlug: string | null = null) {
  return {
    orgId: d.orgId,
    source: 'detect',
    rule: d.rule,
    title: d.title,
    severity: d.severity,
    entity: d.entity,
    firstSeen: new Date(d.ts),
    lastSeen: new Date(d.lastTs),
    count: d.count,
    eventIds: d.eventIds,
    fields: {
      ...d.fields,
      mitre: d.mitre,
      org: d.orgSlug,
      ...(d.orgSlug === demoSlug ? { tenant: 'EMULATED demo tenant (no real Duo)' } : {}),
    },
    dedupeKey: d.dedupeKey,
    suppressForMs: d.suppressionMs,
  } as const;
}

export interface LiveDetect {
  readonly engine: DetectEngine;
  /** Resolves once every batch handed over so far went through the engine and its alerts were raised. */
  idle(): Promise<void>;
  close(): void;
}

export interface LiveOptions {
  /**
   * Waits before each new attempt to store a batch's detections after a failure (the database locked or
   * unreachable for a moment); default 1, 5 and 15 s. The engine has learnt the batch already, so it cannot be
   * run again: a failed store is retried, and only after the last attempt are its detections given up (logged).
   */
  readonly raiseRetryDelaysMs?: readonly number[];
  readonly sleep?: (ms: number) => Promise<void>;
}

const RAISE_RETRY_DELAYS_MS = [1000, 5000, 15_000];

/**
 * Feeds the hub's batches through one engine, one batch at a time (a queue, so batches from concurrent
 * publishers never interleave and per-tenant order holds).
 */
export function subscribeLive(
  ctx: Pick<CapabilityContext, 'shared' | 'logger'>,
  engine: DetectEngine,
  demoSlug: string | null = null,
  options: LiveOptions = {},
): LiveDetect {
  const delays = options.raiseRetryDelaysMs ?? RAISE_RETRY_DELAYS_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  async function raise(detections: readonly Detection[]): Promise<void> {
    if (detections.length === 0) return;
    // One transaction for the batch's detections: raised one by one they cost ~9× the engine (a digest fires on
    // hundreds of events of a batch, each a fold of the same alert).
    const alerts = detections.map((d) => toNewAlert(d, demoSlug));
    for (let attempt = 1; ; attempt++) {
      try {
        await ctx.shared.alerts.raiseMany(alerts);
        return;
      } catch (error) {
        const wait = delays[attempt - 1];
        if (wait === undefined) {
          ctx.logger.error(
            { err: error, detections: alerts.length, attempts: attempt },
            'detections not stored: giving them up',
          );
          return;
        }
        ctx.logger.warn(
          { err: error, detections: alerts.length, attempt },
          'storing detections failed; retrying',
        );
        await sleep(wait);
      }
    }
  }
  let chain: Promise<void> = Promise.resolve();
  const off = ctx.shared.logEvents.subscribe((events: readonly CollectedEvent[]) => {
    chain = chain.then(async () => {
      try {
        await raise(await engine.process(events));
      } catch (error) {
        ctx.logger.error({ err: error }, 'detection batch failed');
      }
    });
    return chain;
  });
  return { engine, idle: () => chain, close: off };
}

export async function startDetect(ctx: CapabilityContext): Promise<StartedCapability> {
  const config = ctx.config.detect;
  if (!config.enabled) return { startupLines: ['detections: off (detect.enabled: false)'] };
  let geo: GeoLookup = noGeo;
  try {
    geo = await openGeo();
  } catch (error) {
    ctx.logger.warn({ err: error }, 'GeoIP database unavailable: impossible travel will not fire');
  }
  const engine = createEngine({
    config,
    geo,
    baselines: storeBaselines(ctx.store, ctx.clock),
    // Detections of the batch are raised anyway; the baselines are saved again with the next batch.
    onSaveError: (error) =>
      ctx.logger.warn({ err: error }, 'detection baselines not saved: retried next batch'),
  });
  const live = subscribeLive(ctx, engine, ctx.demo === null ? null : DEMO_SLUG);
  const lines = [
    `detections: ${catalogue.length} rules over collected logs (duowatch detect replay FILE to test)`,
  ];
  if (ctx.demo !== null) {
    const scenarios = demoScenarios(ctx.clock().getTime());
    for (const s of scenarios) ctx.demo.emulator.control.inject(ctx.demo.credentials.hostname, s);
    lines.push(
      `detections: ${scenarios.length} attack scenarios injected into the EMULATED demo tenant; their alerts appear under organization "${DEMO_SLUG}" once the log collector delivers them`,
    );
  }
  return {
    startupLines: lines,
    close: async () => {
      live.close();
      await live.idle();
      await engine.flush();
    },
  };
}
