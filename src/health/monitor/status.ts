import type { Store } from '../../store/index.js';
import type { HealthConfig } from '../config-schema.js';
import { histogramQuantile } from '../state/latency-histogram.js';
import type { HealthState } from '../state/state-machine.js';
import type { Bucket, HealthRepository, Resolution } from '../store/health-repository.js';

const WINDOWS: Array<{ key: '24h' | '7d' | '30d'; ms: number; resolution: Resolution }> = [
  { key: '24h', ms: 86_400_000, resolution: 'minute' },
  { key: '7d', ms: 7 * 86_400_000, resolution: 'hour' },
  { key: '30d', ms: 30 * 86_400_000, resolution: 'hour' },
];

export interface LatencyStats {
  samples: number;
  avg: number | null;
  /** From the bucket histograms: the upper bound of the bin holding the percentile. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface IntegrationStatus {
  org: string;
  org_id: string;
  integration: string;
  kind: string;
  label: string;
  api_host: string;
  state: HealthState | 'UNKNOWN';
  since: string | null;
  reason: string;
  last_probe: Record<string, unknown> | null;
  /** Percent of probes up (DEGRADED counts as up, MAINTENANCE is excluded); null without probes. */
  uptime: Record<'24h' | '7d' | '30d', number | null>;
  latency_ms: Record<'24h' | '7d' | '30d', LatencyStats>;
  slo: { target: number; met_30d: boolean | null };
}

/** Uptime percent of a bucket total: (up + degraded) / (up + degraded + down); maintenance excluded. */
export function uptimePercent(b: Pick<Bucket, 'up' | 'down' | 'degraded'>): number | null {
  const n = b.up + b.degraded + b.down;
  return n === 0 ? null : Math.round(((b.up + b.degraded) / n) * 100_000) / 1000;
}

function latencyOf(b: Bucket): LatencyStats {
  return {
    samples: b.latCount,
    avg: b.latCount === 0 ? null : Math.round((b.latSum / b.latCount) * 10) / 10,
    p50: histogramQuantile(b.hist, 0.5),
    p95: histogramQuantile(b.hist, 0.95),
    p99: histogramQuantile(b.hist, 0.99),
    max: b.latCount === 0 ? null : Math.round(b.latMax * 10) / 10,
  };
}

/** Every integration's state, uptime over 24 h / 7 d / 30 d, latency percentiles and its SLO verdict. */
export async function healthStatus(
  store: Store,
  repo: HealthRepository,
  config: HealthConfig,
  now: number,
  orgId?: string,
): Promise<IntegrationStatus[]> {
  const orgs = (await store.organizations.list()).filter((o) => orgId === undefined || o.id === orgId);
  const out: IntegrationStatus[] = [];
  for (const org of orgs) {
    const states = new Map((await repo.states(org.id)).map((s) => [s.integrationId, s]));
    const target = config.slo.orgs[org.slug] ?? config.slo.targetPercent;
    for (const i of await store.integrations.list(org.id)) {
      const s = states.get(i.id);
      const uptime = { '24h': null, '7d': null, '30d': null } as IntegrationStatus['uptime'];
      const latency = {} as IntegrationStatus['latency_ms'];
      for (const w of WINDOWS) {
        const total = await repo.totals(i.id, w.resolution, now - w.ms, now + 1);
        uptime[w.key] = uptimePercent(total);
        latency[w.key] = latencyOf(total);
      }
      out.push({
        org: org.slug,
        org_id: org.id,
        integration: i.id,
        kind: i.kind,
        label: i.label,
        api_host: i.apiHost,
        state: s?.state ?? 'UNKNOWN',
        since: s === undefined ? null : new Date(s.since).toISOString(),
        reason: s?.machine.reason ?? 'not probed yet',
        last_probe: s?.lastProbe ?? null,
        uptime,
        latency_ms: latency,
        slo: { target, met_30d: uptime['30d'] === null ? null : uptime['30d'] >= target },
      });
    }
  }
  return out;
}
