import type { ScenarioSpec } from '../emulator/world/index.js';

/**
 * What the demo injects into the emulated tenant at start, ten minutes in the past: the collector reads up to
 * now − 2 min (Duo's log delay), so its first poll already sees them and the engine raises alerts in the
 * first minute. Spread over the rules of the catalogue and the tenant's applications (docs/detect.md "Demo").
 */
export function demoScenarios(now: number): ScenarioSpec[] {
  const at = now - 10 * 60_000;
  return [
    { kind: 'push_fatigue', at, pushes: 7 },
    { kind: 'fraud', at: at + 60_000 },
    { kind: 'bypass_code_use', at: at + 90_000 },
    { kind: 'admin_action', action: 'bypass_create', at: at + 120_000 },
    { kind: 'admin_action', action: 'user_delete', at: at + 150_000 },
    { kind: 'new_country', at: at + 180_000, country: 'Russia' },
    { kind: 'impossible_travel', at: at + 200_000 },
    { kind: 'telephony_fraud', at, count: 45 },
  ];
}
