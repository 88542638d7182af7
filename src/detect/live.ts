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
    lastSeen: new Date(d.ts),
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

/**
 * Feeds the hub's batches through one engine, one batch at a time (a queue, so batches from concurrent
 * publishers never interleave and per-tenant order holds).
 */
export function subscribeLive(
  ctx: Pick<CapabilityContext, 'shared' | 'logger'>,
  engine: DetectEngine,
  demoSlug: string | null = null,
): LiveDetect {
  let chain: Promise<void> = Promise.resolve();
  const off = ctx.shared.logEvents.subscribe((events: readonly CollectedEvent[]) => {
    chain = chain.then(async () => {
      try {
        const detections = await engine.process(events);
        // One transaction for the batch's detections: raised one by one they cost ~9× the engine (a digest
        // fires on hundreds of events of a batch, each a fold of the same alert).
        await ctx.shared.alerts.raiseMany(detections.map((d) => toNewAlert(d, demoSlug)));
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
