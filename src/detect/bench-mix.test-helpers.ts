/**
 * The realistic mix the detection benchmark and the golden test run over: the emulated tenant's 1,000 users,
 * scenario-free baseline plus every attack scenario two days before the end, as the collector delivers it.
 * Test and bench helper only.
 */
import type { CollectedEvent } from '../app/index.js';
import { createClock, createTenant, vpnEgressNetwork } from '../emulator/world/index.js';
import { emulatorEvents } from './emulator-events.test-helpers.js';

export const MIX_NOW = Date.UTC(2026, 10, 18, 15, 30);
const DAY = 86_400_000;
export const MIX_SEED = 'bench';

/** `users` and `seed` make other tenants of the same kind (the bench's tenant-size comparison). */
export function tenantEvents(
  withScenarios: boolean,
  days: number,
  users = 1000,
  seed = MIX_SEED,
): CollectedEvent[] {
  const clock = createClock({ realNow: () => MIX_NOW });
  const t = createTenant({ hostname: 'api-bench.duosecurity.com', seed, users, now: MIX_NOW }, clock);
  if (withScenarios) {
    const at = MIX_NOW - 2 * DAY;
    t.inject({ kind: 'push_fatigue', at });
    t.inject({ kind: 'fraud', at });
    t.inject({ kind: 'bypass_code_use', at });
    t.inject({ kind: 'new_country', at, country: 'Russia' });
    t.inject({ kind: 'impossible_travel', at: at + 3_600_000 });
    t.inject({ kind: 'remembered_device_abuse', at });
    t.inject({ kind: 'telephony_fraud', at });
    t.inject({ kind: 'admin_action', action: 'bypass_create', at });
  }
  return emulatorEvents(t, 'bench', MIX_NOW - days * DAY, MIX_NOW);
}

/** The detection configuration the deployment would have: the tenant's VPN egress is a trusted network. */
export const mixConfig = () => ({
  enabled: true,
  rules: {},
  allow: { trustedNetworks: [vpnEgressNetwork(MIX_SEED).cidr] },
  orgs: {},
});
